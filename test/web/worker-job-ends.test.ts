import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { until } from '../support/until.ts';
import { type GatedClusterHarness, pagerDutyEvent, startGatedClusterHarness } from './harness.ts';

let h: GatedClusterHarness;

before(async () => {
  // The worker reaches the cluster through a gate, so the job can be cancelled while its investigation reads.
  h = await startGatedClusterHarness();
});

after(() => h.close());

test("a job cancelled mid-investigation: BullMQ's signal stops the investigation, the job fails with its reason and is not retried", async () => {
  h.gate.close();
  const response = await h.postPagerDuty(pagerDutyEvent('incident.triggered', { id: 'PCANCEL' }));
  assert.equal(response.status, 202);
  const { incidentId } = (await response.json()) as { incidentId: string };
  await until('the investigation to be reading the cluster', () => h.gate.heldCount > 0);
  const started = await h.database.db.auditEvent.findFirstOrThrow({
    where: { incidentId, action: 'investigation.started' },
  });
  assert.equal(h.worker!.cancelJob(started.target!, 'cancelled by an operator'), true);
  h.gate.release();

  await until('the attempt to be recorded as failed', async () => {
    const failed = await h.database.db.auditEvent.count({ where: { incidentId, action: 'investigation.failed' } });
    return failed > 0;
  });
  const failed = await h.database.db.auditEvent.findFirstOrThrow({
    where: { incidentId, action: 'investigation.failed' },
  });
  assert.match(String(failed.justification), /cancelled by an operator/);
  assert.equal(
    await h.database.db.auditEvent.count({ where: { incidentId, action: 'investigation.decided' } }),
    0,
    'the engine did not go on to decide after the cancel',
  );
  // Whoever cancelled meant it: the job ends for good (no retry), and the thread says so.
  assert.deepEqual(failed.details, { attempt: 1, final: true });
  const jobId = started.target!;
  await until('the job to fail for good', async () => (await h.jobs.getJobState(jobId)) === 'failed');
  assert.equal((await h.jobs.getJob(jobId))?.attemptsMade, 1, 'one attempt, no retry');
  const incident = await h.database.db.incident.findUniqueOrThrow({ where: { id: incidentId } });
  const status = await until('the status reply to say it stopped', () =>
    h.slack.storedMessages().find((message) => /Investigation stopped/.test(String(message.text))),
  );
  assert.match(String(status.text), /cancelled by an operator.*not retried/);
  assert.equal(status.thread_ts, incident.slackThreadTs);
});

test('a stored alert that no longer validates fails at once, for good (UnrecoverableError), not retried', async () => {
  h.gate.release();
  const incident = await h.database.db.incident.create({
    data: {
      source: 'pagerduty',
      externalId: 'PBROKEN',
      title: 'Broken alert',
      alert: { source: 'pagerduty', title: 'x' },
    },
  });
  // The round's alert, edited in the database into something AlertSchema refuses (no title).
  await h.database.db.incidentAlert.create({
    data: {
      incidentId: incident.id,
      key: 'pagerduty:PBROKEN',
      primary: true,
      title: 'Broken alert',
      alert: { source: 'pagerduty' },
      startedRound: 1,
    },
  });
  const { jobId } = await h.queue.enqueue(incident.id);
  await until(
    'the job to fail for good',
    async () =>
      (await h.jobs.getJob(jobId))?.failedReason !== undefined && (await h.jobs.getJobState(jobId)) === 'failed',
  );
  const job = await h.jobs.getJob(jobId);
  assert.equal(job?.attemptsMade, 1, 'one attempt, no retry');
  const failed = await h.database.db.auditEvent.findFirstOrThrow({
    where: { incidentId: incident.id, action: 'investigation.failed' },
  });
  assert.deepEqual(failed.details, { attempt: 1, final: true });
  assert.match(String(failed.justification), /its alert/);
});
