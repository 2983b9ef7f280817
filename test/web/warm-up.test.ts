import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import pg from 'pg';
import { INVESTIGATION_QUEUE } from '../../src/queue/investigation-queue.ts';
import { type KubeApiServer, startKubeApiServer } from '../../src/simulation/kube-api/server.ts';
import { toKubeconfigYaml } from '../../src/simulation/kubeconfig.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { FakeSlack } from '../support/fake-slack.ts';
import { REPO_ROOT } from '../support/run-cli.ts';
import { pagerDutySignature } from '../support/signing.ts';
import { until } from '../support/until.ts';
import { pagerDutyEvent, REDIS_URL, uniquePrefix } from './harness.ts';

// Each role warms up before it is ready: the web role its intake before it listens (src/intake/warm-up.ts), the
// worker its engine before its first job (src/worker/warm-up.ts). The real processes, started as their Deployments
// start them, must have stored, queued, posted, logged, counted and read from the cluster nothing of their samples.

const SECRET = 'pd-warm-up-test';
const prefix = uniquePrefix();
let database: TestDatabase;
let slack: FakeSlack;
let cluster: KubeApiServer;
let dir: string;
const roles: ChildProcess[] = [];

before(async () => {
  [database, slack, cluster, dir] = await Promise.all([
    createTestDatabase(),
    FakeSlack.start(),
    startKubeApiServer({ objects: [], now: new Date() }),
    mkdtemp(join(tmpdir(), 'warm-up-')),
  ]);
  await writeFile(join(dir, 'kubeconfig'), toKubeconfigYaml(cluster.url), { mode: 0o600 });
});

after(async () => {
  for (const role of roles.filter((child) => child.exitCode === null)) {
    role.kill('SIGTERM');
    await once(role, 'exit');
  }
  const redis = new Redis(REDIS_URL);
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
  await Promise.all([database.drop(), slack.close(), cluster.close(), rm(dir, { recursive: true, force: true })]);
});

/** `src/main.ts` in `role`, as its Deployment starts it; resolves with its log lines once it logged `ready`. */
async function startRole(role: string, ready: RegExp): Promise<Record<string, unknown>[]> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: REPO_ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      ROLE: role,
      SLACK_BOT_TOKEN: 'xoxb-test',
      SLACK_SIGNING_SECRET: 'test-signing-secret',
      SLACK_API_URL: slack.apiUrl,
      INCIDENT_CHANNEL: 'CWARM',
      PAGERDUTY_WEBHOOK_SECRETS: SECRET,
      DATABASE_URL: database.url,
      REDIS_URL,
      QUEUE_PREFIX: prefix,
      KUBECONFIG: join(dir, 'kubeconfig'),
      PORT: '0',
      METRICS_PORT: '0',
      LOG_LEVEL: 'debug',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  roles.push(child);
  const lines: Record<string, unknown>[] = [];
  await new Promise<void>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (text) => {
      try {
        const line = JSON.parse(text) as Record<string, unknown>;
        lines.push(line);
        if (ready.test(String(line.msg))) resolve();
      } catch {
        // Not a log line.
      }
    });
    child.once('exit', (code) => reject(new Error(`ROLE=${role} exited with ${code} before it was ready`)));
  });
  return lines;
}

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

/** Nothing of a warm-up's sample may be anywhere: no line about an incident or audit event (debug included). */
const aboutIncidents = (lines: Record<string, unknown>[]) =>
  lines.filter((line) => line.incidentId !== undefined || line.action !== undefined);

let webLines: Record<string, unknown>[];

test('the worker replays its warm-up incident before its first job without reading the cluster or writing anywhere', async () => {
  const lines = await startRole('worker', /^worker started/);
  // Nor counted in the worker's metrics: an investigation nobody asked for is not one to alert or plan capacity on.
  const metricsPort = lines.find((line) => /^metrics, health and readiness listening/.test(String(line.msg)))!.port;
  const metrics = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
  assert.deepEqual(
    metrics.split('\n').filter((line) => /^incident_bot_investigation\w*(_count|_total)\b.* [1-9]/.test(line)),
    [],
  );
  // Stopped before the web role queues anything: what follows is the warm-up's alone.
  roles.at(-1)!.kill('SIGTERM');
  await once(roles.at(-1)!, 'exit');
  assert.deepEqual(cluster.requests(), [], 'the warm-up read the configured cluster');
  assert.deepEqual(await rowCounts(), { incidents: 0, alerts: 0, auditEvents: 0, seqsTaken: 0 });
  assert.deepEqual(
    slack.calls.filter((call) => call.method !== 'auth.test').map((call) => call.method),
    [],
  );
  assert.deepEqual(aboutIncidents(lines), []);
  assert.equal(lines.filter((line) => /warm-up did not finish/.test(String(line.msg))).length, 0);
});

test('ready after its warm-up, the web role has stored, queued, posted and logged nothing of its sample', async () => {
  webLines = await startRole('web', /^web listening/);
  const port = webLines.find((line) => /^web listening/.test(String(line.msg)))!.port as number;
  const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
  assert.equal(ready.status, 200);
  assert.deepEqual(await rowCounts(), { incidents: 0, alerts: 0, auditEvents: 0, seqsTaken: 0 });
  assert.equal(await jobCount(), 0);
  assert.deepEqual(
    slack.calls.filter((call) => call.method !== 'auth.test').map((call) => call.method),
    [],
  );
  assert.deepEqual(aboutIncidents(webLines), []);

  // Then the first real delivery is stored and queued as ever: one incident, its three audit rows, one job.
  const body = pagerDutyEvent('incident.triggered', { id: 'PFIRST', title: 'High error rate on checkout in shop' });
  const response = await fetch(`http://127.0.0.1:${port}/webhooks/pagerduty`, {
    method: 'POST',
    body,
    headers: { 'content-type': 'application/json', 'x-pagerduty-signature': pagerDutySignature(body, SECRET) },
  });
  assert.equal(response.status, 202);
  const { incidentId } = (await response.json()) as { incidentId: string };
  assert.deepEqual(await rowCounts(), { incidents: 1, alerts: 1, auditEvents: 3, seqsTaken: 1 });
  await until('the job added after the answer', async () => (await jobCount()) === 1);
  assert.ok(webLines.some((line) => line.incidentId === incidentId && line.action === 'incident.opened'));
});
