import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { CONFIG_VARIABLES, ConfigError, loadConfig } from '../../src/config/env.ts';

const ROOT = new URL('../../', import.meta.url);

function runMain(env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, stderr }));
  });
}

const VALID = {
  SLACK_BOT_TOKEN: 'xoxb-1',
  SLACK_SIGNING_SECRET: 'secret',
  INCIDENT_CHANNEL: 'C1',
  PAGERDUTY_WEBHOOK_SECRETS: 'a, b',
  DATABASE_URL: 'postgresql://postgres@127.0.0.1:5432/x',
  REDIS_URL: 'redis://127.0.0.1:6379',
};

test('neither Slack mode configured at start-up: exit non-zero, explaining both modes, with an example', async () => {
  const { SLACK_SIGNING_SECRET: _omitted, ...env } = VALID;
  const { code, stderr } = await runMain(env);
  assert.notEqual(code, 0);
  assert.match(
    stderr,
    /SLACK_SIGNING_SECRET: is required in HTTP mode \(Slack POSTs to https:\/\/<host>\/slack\/events\)/,
  );
  assert.match(stderr, /or set SLACK_APP_TOKEN instead for Socket Mode/);
  assert.match(stderr, /— signing secret of the Slack app/);
  assert.match(stderr, /e\.g\. SLACK_SIGNING_SECRET=/);
});

test('a wrong CLUSTERS_FILE at start-up: exit non-zero, naming the file, the field and an example', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'clusters-'));
  const file = join(dir, 'clusters.yaml');
  await writeFile(file, 'default: prod-z\nclusters:\n  - name: prod-a\n    kubeconfig: /a.kubeconfig\n');
  const { code, stderr } = await runMain({ ...VALID, CLUSTERS_FILE: file });
  await rm(dir, { recursive: true });
  assert.notEqual(code, 0);
  assert.match(stderr, new RegExp(`CLUSTERS_FILE ${file} is invalid`));
  assert.match(stderr, /"prod-z" is not one of prod-a\n {2}→ at default/);
  assert.match(stderr, /Expected e\.g\./);
});

test('Socket Mode: SLACK_APP_TOKEN alone is enough, and it must be an app-level token', () => {
  const { SLACK_SIGNING_SECRET: _omitted, ...socket } = VALID;
  // Workers and the executor receive nothing from Slack: they need neither.
  assert.equal(loadConfig({ ...socket, ROLE: 'worker' }).ROLE, 'worker');
  assert.throws(() => loadConfig({ ...socket, ROLE: 'web' }), ConfigError);
  const config = loadConfig({ ...socket, SLACK_APP_TOKEN: 'xapp-1-A1-2-abc' });
  assert.equal(config.SLACK_APP_TOKEN, 'xapp-1-A1-2-abc');
  assert.equal(config.SLACK_SIGNING_SECRET, undefined);
  assert.throws(
    () => loadConfig({ ...socket, SLACK_APP_TOKEN: 'xoxb-1' }),
    (error: ConfigError) =>
      error.problems.some(
        (problem) => problem.variable === 'SLACK_APP_TOKEN' && /app-level token \(xapp-…\)/.test(problem.problem),
      ),
  );
});

test('every missing or invalid variable is reported together', () => {
  const error = (() => {
    try {
      loadConfig({ PORT: 'eighty', ROLE: 'both', REDIS_URL: 'not a url' });
    } catch (caught) {
      return caught;
    }
  })();
  assert.ok(error instanceof ConfigError);
  assert.deepEqual(error.problems.map((problem) => problem.variable).sort(), [
    'DATABASE_URL',
    'INCIDENT_CHANNEL',
    'PORT',
    'REDIS_URL',
    'ROLE',
    'SLACK_BOT_TOKEN',
    'SLACK_SIGNING_SECRET',
  ]);
  for (const problem of error.problems) {
    assert.ok(problem.description.length > 0 && problem.example.length > 0, problem.variable);
  }
});

test('defaults and lists', () => {
  const config = loadConfig(VALID);
  assert.equal(config.PORT, 3000);
  assert.equal(config.ROLE, 'all');
  assert.equal(config.WORKER_CONCURRENCY, 16);
  assert.equal(config.DATABASE_POOL_SIZE, 20);
  assert.deepEqual(config.PAGERDUTY_WEBHOOK_SECRETS, ['a', 'b']);
  assert.equal(config.SLACK_API_URL, undefined);
});

test('.env.example and the README document every variable', async () => {
  const example = await readFile(new URL('.env.example', ROOT), 'utf8');
  const readme = await readFile(new URL('README.md', ROOT), 'utf8');
  for (const name of Object.keys(CONFIG_VARIABLES)) {
    assert.match(example, new RegExp(`^#? ?${name}=`, 'm'), `.env.example sets or shows ${name}`);
    assert.ok(readme.includes(`\`${name}\``), `README's configuration table has ${name}`);
  }
});
