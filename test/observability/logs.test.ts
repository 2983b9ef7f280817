import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { after, before, describe, it } from 'node:test';
import { Queue } from 'bullmq';
import { type ConfigError, loadConfig } from '../../src/config/env.ts';
import { createLogger, maskInLogs } from '../../src/observability/logger.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { FakeSlack } from '../support/fake-slack.ts';
import { until } from '../support/until.ts';
import { deleteKeys, REDIS_URL } from '../web/harness.ts';

type Line = Record<string, unknown> & { level: string; time: string; msg: string };

const parseLines = (text: string): Line[] =>
  text
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const parsed = JSON.parse(line) as Line;
      assert.equal(typeof parsed.level, 'string', line);
      assert.ok(!Number.isNaN(Date.parse(parsed.time)), `ISO time in ${line}`);
      return parsed;
    });

describe('the logger', () => {
  it('writes one JSON line per event with a level name, ISO time and the incident id, masking secrets', () => {
    const written: string[] = [];
    const logger = createLogger('info', { write: (line: string) => void written.push(line) });
    maskInLogs(['am-token-0123456789']);
    logger.info(
      { incidentId: 'inc-1', authorization: 'Bearer abcdefgh12345678' },
      'posting with xoxb-1234567890-abcdefghij and am-token-0123456789',
    );
    logger.error({ err: new Error('connect to postgresql://bot:hunter2pass@db:5432/x refused') }, 'store failed');
    logger.debug('below the threshold');

    const lines = parseLines(written.join(''));
    assert.equal(lines.length, 2);
    assert.equal(lines[0]?.level, 'info');
    assert.equal(lines[0]?.incidentId, 'inc-1');
    assert.equal(lines[1]?.level, 'error');
    const text = written.join('');
    for (const secret of ['abcdefgh12345678', 'xoxb-1234567890-abcdefghij', 'am-token-0123456789', 'hunter2pass']) {
      assert.ok(!text.includes(secret), `${secret} is masked`);
    }
    assert.match(text, /store failed/);
    assert.match(text, /connect to postgresql:\/\/bot:\[REDACTED\]@db/);
  });

  it('LOG_LEVEL takes only the logger’s levels', () => {
    const env = {
      SLACK_BOT_TOKEN: 'xoxb-1',
      SLACK_SIGNING_SECRET: 's',
      INCIDENT_CHANNEL: 'C1',
      DATABASE_URL: 'postgresql://postgres@127.0.0.1:5432/x',
      REDIS_URL: 'redis://127.0.0.1:6379',
    };
    assert.equal(loadConfig(env).LOG_LEVEL, 'info');
    assert.equal(loadConfig({ ...env, LOG_LEVEL: 'debug' }).LOG_LEVEL, 'debug');
    assert.throws(
      () => loadConfig({ ...env, LOG_LEVEL: 'verbose' }),
      (error: ConfigError) => error.problems.some((problem) => problem.variable === 'LOG_LEVEL'),
    );
  });
});

describe('the web role’s output', () => {
  const SECRETS = {
    SLACK_BOT_TOKEN: 'xoxb-9-9-botsecretvalue',
    SLACK_SIGNING_SECRET: 'signing-secret-value-0123',
    ALERTMANAGER_TOKEN: 'alertmanager-token-value-0123',
  };
  let database: TestDatabase;
  let slack: FakeSlack;
  let child: ChildProcess;
  let stdout = '';
  let stderr = '';
  const prefix = `ibtest-logs-${randomBytes(4).toString('hex')}`;

  before(async () => {
    database = await createTestDatabase();
    slack = await FakeSlack.start();
    child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: new URL('../../', import.meta.url),
      env: {
        PATH: process.env.PATH ?? '',
        ...SECRETS,
        ROLE: 'web',
        PORT: '0',
        METRICS_PORT: '0',
        LOG_LEVEL: 'info',
        SLACK_API_URL: slack.apiUrl,
        SLACK_BOT_ID: 'BBOT',
        SLACK_BOT_USER_ID: 'UBOT',
        INCIDENT_CHANNEL: 'CINCIDENTS',
        DATABASE_URL: database.url,
        REDIS_URL,
        QUEUE_PREFIX: prefix,
        APPROVER_USER_IDS: 'UALICE',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr?.on('data', (chunk) => {
      stderr += chunk;
    });
  });
  after(async () => {
    if (child.exitCode === null) {
      child.kill('SIGKILL');
      await once(child, 'exit');
    }
    const queue = new Queue('investigations', { connection: { url: REDIS_URL }, prefix });
    await deleteKeys(queue, prefix);
    await queue.close();
    await slack.close();
    await database.drop();
  });

  it('is JSON lines only; an alert’s events carry its incident id; no configured secret is ever printed', async () => {
    const listening = await until('the web role to listen', () =>
      parseLines(stdout).find((line) => line.msg.startsWith('web listening')),
    );
    const body = JSON.stringify({
      version: '4',
      groupKey: '{}:{alertname="KubePodCrashLooping"}',
      status: 'firing',
      alerts: [{ status: 'firing', labels: { alertname: 'KubePodCrashLooping', namespace: 'payments' } }],
    });
    const response = await fetch(`http://127.0.0.1:${listening.port}/webhooks/alertmanager`, {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${SECRETS.ALERTMANAGER_TOKEN}` },
    });
    assert.equal(response.status, 202);
    const { incidentId } = (await response.json()) as { incidentId: string };
    const opened = await until('the incident.opened line', () =>
      parseLines(stdout).find((line) => line.action === 'incident.opened'),
    );
    assert.equal(opened.incidentId, incidentId);
    assert.equal(opened.level, 'info');

    child.kill('SIGTERM');
    await once(child, 'exit');
    const lines = parseLines(stdout);
    assert.ok(lines.some((line) => line.msg.startsWith('stopping')));
    for (const secret of Object.values(SECRETS)) {
      assert.ok(!stdout.includes(secret) && !stderr.includes(secret), `${secret.slice(0, 12)}… never printed`);
    }
  });
});
