import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { LogLevel } from '@slack/bolt';
import { ChainKey } from '../../src/audit/chain-key.ts';
import { PostgresAuditLog } from '../../src/audit/postgres-audit-log.ts';
import { createServer } from '../../src/http/server.ts';
import type { InvestigationQueue } from '../../src/queue/investigation-queue.ts';
import { verifyChains } from '../../src/audit/verify.ts';
import { runCli } from '../support/run-cli.ts';
import { pagerDutySignature } from '../support/signing.ts';
import { startDegradedServer } from './degraded-server.ts';
import { REQUEUE_AFTER_MS, requeueUnstarted } from '../../src/worker/requeue-unstarted.ts';
import { until } from '../support/until.ts';
import { type Harness, pagerDutyEvent, startHarness, testServerConfig } from './harness.ts';

let h: Harness;
before(async () => {
  h = await startHarness();
});
after(() => h.close());

const incidentCount = () => h.database.db.incident.count();

test('unsigned and wrongly signed webhooks are refused with 401 and store nothing but the refusal', async () => {
  const body = pagerDutyEvent('incident.triggered', { id: 'PREFUSED' });
  const unsigned = await h.post('/webhooks/pagerduty', body);
  assert.equal(unsigned.status, 401);
  const wrong = await h.postPagerDuty(body, ['not-our-secret']);
  assert.equal(wrong.status, 401);
  const tampered = await h.post('/webhooks/pagerduty', body.replace('PREFUSED', 'PTAMPER'), {
    'x-pagerduty-signature': pagerDutySignature(body, 'pd-secret-current'),
  });
  assert.equal(tampered.status, 401);
  assert.equal(await incidentCount(), 0);
  assert.equal(await h.refusalCount('pagerduty'), 3);
  assert.equal(await h.jobs.count(), 0);
});

test('correctly signed but truncated or non-JSON bodies are 400 with a reason, nothing stored', async () => {
  const body = pagerDutyEvent('incident.triggered', { id: 'PTRUNC' });
  const truncated = await h.postPagerDuty(body.slice(0, body.length / 2));
  assert.equal(truncated.status, 400);
  assert.match(((await truncated.json()) as { error: string }).error, /not JSON/);
  const notJson = await h.postPagerDuty('event=incident.triggered&id=PTRUNC');
  assert.equal(notJson.status, 400);
  assert.match(((await notJson.json()) as { error: string }).error, /not JSON/);
  const wrongShape = await h.postPagerDuty(JSON.stringify({ messages: [] }));
  assert.equal(wrongShape.status, 400);
  assert.match(((await wrongShape.json()) as { error: string }).error, /not a PagerDuty V3 webhook/);
  assert.equal(await incidentCount(), 0);
  assert.equal(await h.jobs.count(), 0);
});

test('a webhook signed only with the second (rotated) secret is accepted', async () => {
  const response = await h.postPagerDuty(pagerDutyEvent('incident.triggered', { id: 'PROTATED' }), ['pd-secret-next']);
  assert.equal(response.status, 202);
  const incident = await h.database.db.incident.findUnique({ where: { externalId: 'pagerduty:PROTATED' } });
  assert.ok(incident);
  assert.equal(incident.url, 'https://acme.pagerduty.com/incidents/PROTATED');
});

test('incident.triggered, again and 20 times in parallel: one incident, one job', async () => {
  const body = pagerDutyEvent('incident.triggered', { id: 'PDUP', title: 'Checkout 5xx' }, 'EVT-SAME');
  const first = await h.postPagerDuty(body);
  assert.equal(first.status, 202);
  const { incidentId } = (await first.json()) as { incidentId: string };
  const again = await h.postPagerDuty(body);
  assert.equal(again.status, 202);
  const parallel = await Promise.all(Array.from({ length: 20 }, () => h.postPagerDuty(body)));
  assert.deepEqual(
    parallel.map((r) => r.status),
    Array(20).fill(202),
  );
  const ids = await Promise.all(parallel.map(async (r) => ((await r.json()) as { incidentId: string }).incidentId));
  assert.deepEqual(new Set(ids), new Set([incidentId]));
  const rows = await h.database.db.incident.findMany({ where: { externalId: 'pagerduty:PDUP' } });
  assert.equal(rows.length, 1);
  assert.equal(rows[0]?.title, 'Checkout 5xx');
  const jobsOf = async () =>
    (await h.jobs.getJobs(['waiting', 'active', 'delayed', 'completed', 'failed'])).filter(
      (job) => job.data.incidentId === incidentId,
    );
  // The job is added once the first webhook was answered.
  await until('its job', async () => (await jobsOf()).length > 0);
  assert.equal((await jobsOf()).length, 1);
  const opened = await h.database.db.auditEvent.count({ where: { incidentId, action: 'incident.opened' } });
  assert.equal(opened, 1);
  const accepted = await h.database.db.auditEvent.count({ where: { incidentId, action: 'webhook.accepted' } });
  assert.equal(accepted, 22);
});

test('a new incident is stored as sent (quotes, backslashes, $n in its text) and its audit chain verifies', async () => {
  // The intake's first statement travels with BEGIN, its values as literals: none of these may change or break it.
  const title = `O'Brien's "checkout" \\ down: $1 and $11 cost 100% — 'quoted' ✓`;
  const response = await h.postPagerDuty(pagerDutyEvent('incident.triggered', { id: "P'QUOTE\\$2", title }));
  assert.equal(response.status, 202);
  const { incidentId } = (await response.json()) as { incidentId: string };
  const incident = await h.database.db.incident.findUniqueOrThrow({ where: { id: incidentId } });
  assert.equal(incident.title, title);
  assert.equal(incident.externalId, "pagerduty:P'QUOTE\\$2");
  const rows = await h.database.db.auditEvent.findMany({ where: { incidentId }, orderBy: { seq: 'asc' } });
  assert.deepEqual(
    rows.map((row) => row.action),
    ['incident.opened', 'investigation.queued', 'webhook.accepted'],
  );
  assert.equal((rows[0]?.details as { title?: string } | undefined)?.title, title);
  assert.equal(rows[0]?.prevHash, new ChainKey().genesis(incidentId));
  const presentSeqs = new Set(
    (await h.database.db.auditEvent.findMany({ select: { seq: true } })).map((row) => row.seq),
  );
  const report = verifyChains(rows, new ChainKey(), { onlyChains: [incidentId], presentSeqs });
  assert.deepEqual(report.problems, []);
});

test('incident.resolved marks the incident resolved; other event types are accepted and ignored', async () => {
  await h.postPagerDuty(pagerDutyEvent('incident.triggered', { id: 'PRES' }));
  const resolved = await h.postPagerDuty(pagerDutyEvent('incident.resolved', { id: 'PRES' }));
  assert.equal(resolved.status, 202);
  const incident = await h.database.db.incident.findUniqueOrThrow({ where: { externalId: 'pagerduty:PRES' } });
  assert.equal(incident.status, 'resolved');
  assert.ok(incident.resolvedAt);

  const before = await incidentCount();
  const other = await h.postPagerDuty(pagerDutyEvent('incident.acknowledged', { id: 'POTHER' }));
  assert.equal(other.status, 202);
  assert.deepEqual(await other.json(), { ignored: 'incident.acknowledged' });
  assert.equal(await incidentCount(), before);
});

test('health and readiness probes', async () => {
  const health = await fetch(`${h.baseUrl}/healthz`);
  assert.equal(health.status, 200);
  const ready = await fetch(`${h.baseUrl}/readyz`);
  assert.equal(ready.status, 200);
  assert.deepEqual(await ready.json(), { postgres: 'ok', redis: 'ok' });
});

test('a body over 2 MB is refused before it is read whole', async () => {
  const before = await incidentCount();
  const huge = JSON.stringify({ event: { padding: 'x'.repeat(2 * 1024 * 1024) } });
  const response = await h.postPagerDuty(huge);
  assert.equal(response.status, 413);
  assert.equal(await incidentCount(), before);
});

test('readiness fails, naming Redis, when Redis does not answer', async () => {
  const server = await startDegradedServer(h, 'redis', {
    redis: { maxRetriesPerRequest: 1, enableOfflineQueue: false },
  });
  try {
    const ready = await fetch(server.url('/readyz'));
    assert.equal(ready.status, 503);
    const body = (await ready.json()) as { postgres: string; redis: string };
    assert.equal(body.postgres, 'ok');
    assert.notEqual(body.redis, 'ok');
  } finally {
    await server.stop();
  }
});

test('a new incident whose job Redis refuses: 202 once stored, the trail says the job was not added, the sweep adds it once', async () => {
  // The incident's queueing and the webhook's acceptance commit with it; the job is added after the answer, and a
  // refused add is recorded after them. Redis answering an error (out of memory, read-only replica), not Redis down
  // (the add waits for it).
  const refusing: InvestigationQueue = {
    enqueue: () => Promise.reject(new Error('OOM command not allowed when used memory > maxmemory')),
    requeue: () => Promise.reject(new Error('not this process')),
    ping: () => Promise.resolve(),
    close: () => Promise.resolve(),
  };
  const server = createServer(
    testServerConfig(h.slack.apiUrl),
    { db: h.database.db, audit: new PostgresAuditLog(h.database.db), queue: refusing },
    { logLevel: LogLevel.ERROR },
  );
  const port = await server.start(0);
  const body = pagerDutyEvent('incident.triggered', { id: 'PNOQUEUE' });
  let jobId: string;
  try {
    const accepted = await fetch(`http://127.0.0.1:${port}/webhooks/pagerduty`, {
      method: 'POST',
      body,
      headers: { 'x-pagerduty-signature': pagerDutySignature(body, 'pd-secret-current') },
    });
    assert.equal(accepted.status, 202);
    ({ jobId } = (await accepted.json()) as { jobId: string });
  } finally {
    await server.stop();
  }
  const incident = await h.database.db.incident.findUniqueOrThrow({ where: { externalId: 'pagerduty:PNOQUEUE' } });
  const rows = () => h.database.db.auditEvent.findMany({ where: { incidentId: incident.id }, orderBy: { seq: 'asc' } });
  await until('the refused add to be recorded', async () => (await rows()).length === 4);
  const failed = await rows();
  assert.deepEqual(
    failed.map((row) => row.action),
    ['incident.opened', 'investigation.queued', 'webhook.accepted', 'investigation.queue_failed'],
  );
  assert.match(JSON.stringify(failed.at(-1)?.details), /OOM command not allowed/);
  assert.equal(jobId, failed[1]?.target);
  assert.equal(await h.jobs.getJob(jobId), undefined);

  // The worker's sweep, once the incident has waited long enough for its door to have added the job.
  const sweep = { db: h.database.db, audit: h.audit, queue: h.queue };
  assert.equal(await requeueUnstarted(sweep, new Date()), 0, 'too recent: its door may still be adding it');
  const later = new Date(Date.now() + REQUEUE_AFTER_MS + 1_000);
  assert.equal(await requeueUnstarted(sweep, later), 1);
  assert.ok(await h.jobs.getJob(jobId));
  assert.equal(await requeueUnstarted(sweep, later), 0, 'queued once');
  const trail = await rows();
  assert.equal(trail.at(-1)?.action, 'investigation.requeued');
  assert.equal(trail.at(-1)?.target, jobId);
  const presentSeqs = new Set(
    (await h.database.db.auditEvent.findMany({ select: { seq: true } })).map((row) => row.seq),
  );
  assert.deepEqual(verifyChains(trail, new ChainKey(), { onlyChains: [incident.id], presentSeqs }).problems, []);
});

test('30 distinct incidents at once: each stored with its audit rows in order, and `audit verify` passes', async () => {
  const responses = await Promise.all(
    Array.from({ length: 30 }, (_, i) =>
      h.postPagerDuty(pagerDutyEvent('incident.triggered', { id: `PBURST${i}`, title: `Burst ${i}` })),
    ),
  );
  assert.deepEqual(
    responses.map((r) => r.status),
    Array(30).fill(202),
  );
  const ids = await Promise.all(responses.map(async (r) => ((await r.json()) as { incidentId: string }).incidentId));
  for (const incidentId of ids) {
    const chain = await h.database.db.auditEvent.findMany({ where: { incidentId }, orderBy: { seq: 'asc' } });
    assert.deepEqual(
      chain.map((row) => row.action),
      ['incident.opened', 'investigation.queued', 'webhook.accepted'],
    );
  }
  const verify = await runCli(['audit', 'verify'], 'main', { ...process.env, DATABASE_URL: h.database.url });
  assert.equal(verify.code, 0, verify.stdout + verify.stderr);
  assert.match(verify.stdout, /^OK: \d+ audit events/m);
});
