import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { after, before, test } from 'node:test';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import pg from 'pg';
import { INVESTIGATION_QUEUE } from '../../src/queue/investigation-queue.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { FakeSlack } from '../support/fake-slack.ts';
import { REPO_ROOT } from '../support/run-cli.ts';
import { pagerDutySignature } from '../support/signing.ts';
import { pagerDutyEvent, REDIS_URL, uniquePrefix } from './harness.ts';

// The web role warms its intake up before it listens (src/intake/warm-up.ts): the real process, started as a
// Deployment starts it, must have stored, queued, posted and logged nothing of its sample by the time it is ready.

const SECRET = 'pd-warm-up-test';
const prefix = uniquePrefix();
let database: TestDatabase;
let slack: FakeSlack;
let web: ChildProcess;
const logLines: Record<string, unknown>[] = [];
let port: number;

before(async () => {
  [database, slack] = await Promise.all([createTestDatabase(), FakeSlack.start()]);
  web = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: REPO_ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      ROLE: 'web',
      SLACK_BOT_TOKEN: 'xoxb-test',
      SLACK_SIGNING_SECRET: 'test-signing-secret',
      SLACK_API_URL: slack.apiUrl,
      INCIDENT_CHANNEL: 'CWARM',
      PAGERDUTY_WEBHOOK_SECRETS: SECRET,
      DATABASE_URL: database.url,
      REDIS_URL,
      QUEUE_PREFIX: prefix,
      PORT: '0',
      METRICS_PORT: '0',
      LOG_LEVEL: 'debug',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  port = await new Promise<number>((resolve, reject) => {
    createInterface({ input: web.stdout! }).on('line', (text) => {
      try {
        const line = JSON.parse(text) as Record<string, unknown>;
        logLines.push(line);
        if (/^web listening/.test(String(line.msg))) resolve(line.port as number);
      } catch {
        // Not a log line.
      }
    });
    web.once('exit', (code) => reject(new Error(`the web role exited with ${code} before it listened`)));
  });
});

after(async () => {
  if (web.exitCode === null) {
    web.kill('SIGTERM');
    await once(web, 'exit');
  }
  const redis = new Redis(REDIS_URL);
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
  await Promise.all([database.drop(), slack.close()]);
});

async function rowCounts(): Promise<Record<string, number>> {
  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  try {
    const { rows } = await client.query<Record<string, number>>(
      `SELECT (SELECT count(*)::int FROM "Incident") AS incidents,
              (SELECT count(*)::int FROM "IncidentAlert") AS alerts,
              (SELECT count(*)::int FROM "AuditEvent") AS "auditEvents",
              -- nextval was never called: not even a seq was taken for a row that is not there
              (SELECT CASE WHEN is_called THEN 1 ELSE 0 END FROM "AuditEvent_seq_seq") AS "seqsTaken"`,
    );
    return rows[0]!;
  } finally {
    await client.end();
  }
}

async function jobCount(): Promise<number> {
  const queue = new Queue(INVESTIGATION_QUEUE, { connection: { url: REDIS_URL }, prefix });
  try {
    const counts = await queue.getJobCounts();
    return Object.values(counts).reduce((sum, count) => sum + count, 0);
  } finally {
    await queue.close();
  }
}

test('ready after its warm-up, the web role has stored, queued, posted and logged nothing of its sample', async () => {
  const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
  assert.equal(ready.status, 200);
  assert.deepEqual(await rowCounts(), { incidents: 0, alerts: 0, auditEvents: 0, seqsTaken: 0 });
  assert.equal(await jobCount(), 0);
  assert.deepEqual(
    slack.calls.filter((call) => call.method !== 'auth.test').map((call) => call.method),
    [],
  );
  // No line about an incident or an audit event (every audit event is a log line, debug included).
  assert.deepEqual(
    logLines.filter((line) => line.incidentId !== undefined || line.action !== undefined),
    [],
  );
});

test('then the first real delivery is stored and queued as ever: one incident, its three audit rows, one job', async () => {
  const body = pagerDutyEvent('incident.triggered', { id: 'PFIRST', title: 'High error rate on checkout in shop' });
  const response = await fetch(`http://127.0.0.1:${port}/webhooks/pagerduty`, {
    method: 'POST',
    body,
    headers: { 'content-type': 'application/json', 'x-pagerduty-signature': pagerDutySignature(body, SECRET) },
  });
  assert.equal(response.status, 202);
  const { incidentId } = (await response.json()) as { incidentId: string };
  const counts = await rowCounts();
  assert.deepEqual(counts, { incidents: 1, alerts: 1, auditEvents: 3, seqsTaken: 1 });
  for (;;) {
    if ((await jobCount()) === 1) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  assert.ok(logLines.some((line) => line.incidentId === incidentId && line.action === 'incident.opened'));
});
