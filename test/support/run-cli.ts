import { type ChildProcess, type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const DEMO_SCENARIO = `${REPO_ROOT}scenarios/demo/boutique-redis-oom.json`;

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Starts `incident-bot <args>` as a child process, exactly as `npm run` would (tsx, from the repository root). */
export function startCli(
  args: string[],
  entry: 'main' | 'bin' = 'main',
  env: NodeJS.ProcessEnv = process.env,
): ChildProcessWithoutNullStreams {
  const command = entry === 'main' ? ['--import', 'tsx', 'src/cli/main.ts'] : ['bin/incident-bot.js'];
  return spawn(process.execPath, [...command, ...args], { cwd: REPO_ROOT, env });
}

/** Runs `incident-bot <args>` to completion (through the package's bin launcher with `entry: 'bin'`). */
export function runCli(
  args: string[],
  entry: 'main' | 'bin' = 'main',
  env: NodeJS.ProcessEnv = process.env,
): Promise<CliRun> {
  return completion(startCli(args, entry, env));
}

/** A child process's exit code and everything it wrote, once it has closed. */
export function completion(child: ChildProcessWithoutNullStreams): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => {
    stdout += chunk;
  });
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** A process of the bot (`src/main.ts`) in one role, as its pod would run it: only `env` and PATH/HOME. */
export function startRole(role: 'web' | 'worker' | 'executor', env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: REPO_ROOT,
    // Any free metrics port: several processes, and other test runs on this machine, must not meet on 9464.
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ROLE: role, METRICS_PORT: '0', ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}
