/**
 * `npm test`: every `*.test.ts` under test/, through Node's test runner, two processes at a time, several files per
 * process. A test process pays for loading its modules through tsx's loader before its first test: about 1.5 s of
 * CPU where @kubernetes/client-node is among them (1,000 modules), most of the run for most files. So the files are
 * dealt round-robin, in sorted order, into groups of about GROUP_SIZE, each group one process that runs its files one
 * after another, each file a suite of its own (`test-group.ts`); round-robin mixes the slow files (child processes,
 * browsers, databases) among the groups so that no group is left running alone at the end.
 *
 * `npm test -- [runner options] [files or directories]`: options (`--test-name-pattern=…`) go to `node --test`;
 * files and directories, when given, are run instead of all of test/. One file in a process of its own:
 * `node --import tsx --test test/<path>.test.ts`.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const TEST_DIR = join(REPO_ROOT, 'test');
const GROUP_MODULE = new URL('./test-group.ts', import.meta.url).href;
const CONCURRENCY = 2;
const GROUP_SIZE = 12;

/** The `*.test.ts` files under each directory, and each file, that `paths` name. */
async function testFiles(paths: string[]): Promise<string[]> {
  const files: string[] = [];
  for (const path of paths) {
    if (!(await stat(path)).isDirectory()) {
      files.push(path);
      continue;
    }
    const entries = await readdir(path, { recursive: true });
    files.push(...entries.filter((entry) => entry.endsWith('.test.ts')).map((entry) => join(path, entry)));
  }
  return [...new Set(files)].sort();
}

/** `files` dealt round-robin into groups of about GROUP_SIZE. */
function groupsOf(files: string[]): string[][] {
  const count = Math.ceil(files.length / GROUP_SIZE);
  const groups = Array.from({ length: count }, () => [] as string[]);
  files.forEach((file, index) => {
    groups[index % count]!.push(file);
  });
  return groups;
}

const args = process.argv.slice(2);
const options = args.filter((arg) => arg.startsWith('-'));
const paths = args.filter((arg) => !arg.startsWith('-')).map((path) => resolve(path));
const groups = groupsOf(await testFiles(paths.length > 0 ? paths : [TEST_DIR]));

const dir = await mkdtemp(join(tmpdir(), 'incident-bot-tests-'));
let code = 1;
try {
  const entries: string[] = [];
  for (const [index, files] of groups.entries()) {
    const entry = join(dir, `group-${String(index + 1).padStart(2, '0')}-of-${groups.length}.mjs`);
    await writeFile(
      entry,
      `// ${files.length} test files, one after another.\nimport { runTestFiles } from ${JSON.stringify(GROUP_MODULE)};\nrunTestFiles(${JSON.stringify(files, null, 2)});\n`,
    );
    entries.push(entry);
  }
  const runner = spawn(
    process.execPath,
    ['--import', 'tsx', '--test', `--test-concurrency=${CONCURRENCY}`, ...options, ...entries],
    { cwd: REPO_ROOT, stdio: 'inherit' },
  );
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => runner.kill(signal));
  code = await new Promise<number>((done) => runner.on('close', (exit, signal) => done(exit ?? (signal ? 1 : 0))));
} finally {
  await rm(dir, { recursive: true, force: true });
}
process.exitCode = code;
