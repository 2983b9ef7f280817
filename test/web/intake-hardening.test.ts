import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import { pagerDutySignature, slackHeaders, slashCommandBody } from '../support/signing.ts';
import { until } from '../support/until.ts';
import { startDegradedServer } from './degraded-server.ts';
import { type Harness, PD_SECRETS, pagerDutyEvent, REDIS_URL, startHarness } from './harness.ts';

let h: Harness;
before(async () => {
  h = await startHarness();
});
after(() => h.close());

const accepted = async (response: Response) => {
  assert.equal(response.status, 202, await response.clone().text());
  return (await response.json()) as { incidentId: string; duplicate: boolean; jobId: string | null; cleaned?: string };
};

/** `depth` arrays inside one another, in an otherwise valid incident. */
const deeplyNested = (depth: number) =>
  pagerDutyEvent('incident.triggered', { id: 'PDEEP' }).replace(
    '"conference_bridge":null',
    `"conference_bridge":${'['.repeat(depth)}${']'.repeat(depth)}`,
  );

test('a signed body nested 100,000 deep is answered 400, not a reset connection', async () => {
  const response = await h.postPagerDuty(deeplyNested(100_000));
  assert.equal(response.status, 400);
  assert.match(((await response.json()) as { error: string }).error, /deeper than/);
  const am = await h.post(
    '/webhooks/alertmanager',
    `{"version":"4","x":${'{"a":'.repeat(50_000)}1${'}'.repeat(50_000)}}`,
    {
      authorization: 'Bearer am-token',
    },
  );
  assert.equal(am.status, 400);
  assert.equal(await h.database.db.incident.count({ where: { externalId: 'pagerduty:PDEEP' } }), 0);
});

test('400 unsigned requests are counted in a few audit rows per source and reason, not 400 rows', async () => {
  const body = pagerDutyEvent('incident.triggered', { id: 'PFLOOD' });
  const statuses = await Promise.all(
    Array.from({ length: 400 }, (_, i) =>
      i % 2 === 0
        ? h.post('/webhooks/pagerduty', body).then((r) => r.status)
        : h.postPagerDuty(body, ['forged']).then((r) => r.status),
    ),
  );
  assert.deepEqual(new Set(statuses), new Set([401]));
  assert.ok((await h.refusalCount('pagerduty')) >= 400);
  const rows = await h.database.db.auditEvent.findMany({ where: { action: 'webhook.refused', actor: 'pagerduty' } });
  const reasons = new Set(rows.map((row) => row.justification));
  assert.ok(reasons.has('no-signature') && reasons.has('bad-signature'));
  assert.ok(rows.length <= 2 * reasons.size, `${rows.length} rows for ${reasons.size} reasons`);
});

test('a NUL byte or half a surrogate pair in a title is stored cleaned, said so, and investigated', async () => {
  const nul = await accepted(
    await h.postPagerDuty(pagerDutyEvent('incident.triggered', { id: 'PNUL', title: 'disk\u0000full' })),
  );
  assert.match(nul.cleaned ?? '', /title: 1 NUL byte/);
  assert.ok(nul.jobId);
  const stored = await h.database.db.incident.findUniqueOrThrow({ where: { id: nul.incidentId } });
  assert.equal(stored.title, 'disk\uFFFDfull');
  assert.match((stored.alert as { cleaned?: string }).cleaned ?? '', /NUL/);

  const cut = await accepted(
    await h.postPagerDuty(pagerDutyEvent('incident.triggered', { id: 'PSURR', title: 'checkout down \ud83d' })),
  );
  assert.match(cut.cleaned ?? '', /1 unpaired surrogate/);
  const title = (await h.database.db.incident.findUniqueOrThrow({ where: { id: cut.incidentId } })).title;
  assert.equal(title, 'checkout down \uFFFD');

  const group = JSON.stringify({
    version: '4',
    groupKey: `{}:{alertname="Nul${randomBytes(3).toString('hex')}"}`,
    status: 'firing',
    commonLabels: { alertname: 'NulLabel', namespace: 'pay\u0000ments' },
    commonAnnotations: { summary: 'nul in a label' },
    alerts: [{ status: 'firing', labels: { pod: 'api\u0000' }, annotations: {} }],
  });
  const am = await accepted(await h.post('/webhooks/alertmanager', group, { authorization: 'Bearer am-token' }));
  assert.match(am.cleaned ?? '', /labels\.namespace/);
});

test('an Alertmanager group that fires, resolves and fires again gets a second investigation in the same thread', async () => {
  const groupKey = `{}:{alertname="Refire${randomBytes(3).toString('hex')}"}`;
  const group = (status: 'firing' | 'resolved') =>
    JSON.stringify({
      version: '4',
      groupKey,
      status,
      commonLabels: { alertname: 'Refire', namespace: 'shop' },
      commonAnnotations: { summary: 'checkout 5xx' },
      alerts: [{ status, labels: {}, annotations: {} }],
    });
  const post = (status: 'firing' | 'resolved') =>
    h.post('/webhooks/alertmanager', group(status), { authorization: 'Bearer am-token' });
  const first = await accepted(await post('firing'));
  await h.database.db.incident.update({
    where: { id: first.incidentId },
    data: { slackChannel: 'CINCIDENTS', slackThreadTs: '1763633000.000200' },
  });
  assert.equal((await post('resolved')).status, 202);
  const again = await accepted(await post('firing'));
  assert.equal(again.incidentId, first.incidentId);
  assert.equal(again.duplicate, false);
  assert.ok(again.jobId && again.jobId !== first.jobId, `${again.jobId} after ${first.jobId}`);
  const repeat = await accepted(await post('firing'));
  assert.equal(repeat.duplicate, true);
  assert.equal(repeat.jobId, again.jobId);
  const incident = await h.database.db.incident.findUniqueOrThrow({ where: { id: first.incidentId } });
  assert.equal(incident.status, 'triggered');
  assert.equal(incident.slackThreadTs, '1763633000.000200');
  // The first job is added once the first webhook was answered; the reopen's, before its answer.
  const jobsOf = async () =>
    (await h.jobs.getJobs(['waiting', 'active', 'delayed', 'completed', 'failed'])).filter(
      (job) => job.data.incidentId === first.incidentId,
    );
  await until('both jobs', async () => (await jobsOf()).length === 2);
  assert.equal((await jobsOf()).length, 2);
});

test('PagerDuty incident.reopened starts a new investigation; a late triggered retry after resolution does not', async () => {
  const first = await accepted(await h.postPagerDuty(pagerDutyEvent('incident.triggered', { id: 'PREOPEN' })));
  await h.postPagerDuty(pagerDutyEvent('incident.resolved', { id: 'PREOPEN' }));
  const late = await accepted(await h.postPagerDuty(pagerDutyEvent('incident.triggered', { id: 'PREOPEN' })));
  assert.equal(late.jobId, null);
  const reopened = await accepted(await h.postPagerDuty(pagerDutyEvent('incident.reopened', { id: 'PREOPEN' })));
  assert.equal(reopened.incidentId, first.incidentId);
  assert.ok(reopened.jobId && reopened.jobId !== first.jobId);
  const events = await h.database.db.auditEvent.count({
    where: { incidentId: first.incidentId, action: 'incident.reopened' },
  });
  assert.equal(events, 1);
});

test('an investigation that failed for good is run again when its alert comes again', async () => {
  const first = await accepted(await h.postPagerDuty(pagerDutyEvent('incident.triggered', { id: 'PFAILED' })));
  // Fail it for good, as a worker does after its last attempt (once it is added, after the answer).
  await until('its job', () => h.jobs.getJob(first.jobId!));
  await moveToFailed(first.jobId!, 'test-token');
  assert.equal(await (await h.jobs.getJob(first.jobId!))?.getState(), 'failed');
  const again = await accepted(await h.postPagerDuty(pagerDutyEvent('incident.triggered', { id: 'PFAILED' })));
  assert.equal(again.jobId, first.jobId);
  assert.equal(await (await h.jobs.getJob(first.jobId!))?.getState(), 'waiting');
  const queued = await h.database.db.auditEvent.count({
    where: { incidentId: first.incidentId, action: 'investigation.queued' },
  });
  assert.equal(queued, 2);
});

/** Takes the waiting job and fails it with no attempts left, through BullMQ's own worker API. */
async function moveToFailed(jobId: string, token: string): Promise<void> {
  const { Worker } = await import('bullmq');
  const worker = new Worker('investigations', null, {
    connection: { url: REDIS_URL, maxRetriesPerRequest: null },
    prefix: h.prefix,
    autorun: false,
  });
  try {
    for (;;) {
      const job = await worker.getNextJob(token);
      assert.ok(job, 'a waiting job');
      if (job.id === jobId) {
        job.opts.attempts = 1;
        await job.moveToFailed(new Error('cluster unreachable'), token, false);
        return;
      }
      await job.moveToDelayed(Date.now() + 60_000, token);
    }
  } finally {
    await worker.close();
  }
}

const diagnose = (text: string, triggerId: string) =>
  slashCommandBody({
    team_id: 'T0001',
    channel_id: 'CREPLAY',
    user_id: 'UALICE',
    command: '/diagnose',
    text,
    response_url: h.slack.responseUrl('replay'),
    trigger_id: triggerId,
    api_app_id: 'A123456',
  });

test('a signed /diagnose replayed with the same trigger_id opens one incident and one root message', async () => {
  const body = diagnose('checkout is slow', 'trigger.replayed.1');
  const answers = await Promise.all([h.postSlack(body), h.postSlack(body), h.postSlack(body)]);
  assert.deepEqual(
    answers.map((r) => r.status),
    [200, 200, 200],
  );
  assert.equal(await h.database.db.incident.count({ where: { slackChannel: 'CREPLAY' } }), 1);
  assert.equal(h.slack.rootMessages().filter((call) => call.args.channel === 'CREPLAY').length, 1);
});

test('a click on an unknown action_id is acknowledged (200) and counted, not left to time out', async () => {
  const payload = JSON.stringify({
    type: 'block_actions',
    user: { id: 'UMALLORY' },
    api_app_id: 'A123456',
    token: 't',
    trigger_id: '1.2.3',
    team: { id: 'T0001' },
    channel: { id: 'CINCIDENTS' },
    actions: [{ action_id: 'not.ours', block_id: 'b', type: 'button', value: 'x', action_ts: '1' }],
  });
  const before = await h.refusalCount('slack');
  const response = await h.postSlack(new URLSearchParams({ payload }).toString());
  assert.equal(response.status, 200);
  assert.equal(await h.refusalCount('slack'), before + 1);
});

test('with Postgres down: a bad signature is 401, a good one 503 with Retry-After', async () => {
  const server = await startDegradedServer(h, 'postgres', { server: { refusalFlushMs: 3_600_000 } });
  const url = server.url('/webhooks/pagerduty');
  try {
    const body = pagerDutyEvent('incident.triggered', { id: 'PNODB' });
    const forged = await fetch(url, { method: 'POST', body, headers: { 'x-pagerduty-signature': 'v1=00' } });
    assert.equal(forged.status, 401);
    const slack = diagnose('x', 'trigger.nodb');
    const slackForged = await fetch(server.url('/slack/events'), {
      method: 'POST',
      body: slack,
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...slackHeaders('wrong', slack) },
    });
    assert.equal(slackForged.status, 401);
    const signed = await fetch(url, {
      method: 'POST',
      body,
      headers: { 'x-pagerduty-signature': pagerDutySignature(body, PD_SECRETS[0]!) },
    });
    assert.equal(signed.status, 503);
    assert.ok(Number(signed.headers.get('retry-after')) > 0);
  } finally {
    await server.stop();
  }
});

test('with Redis down: a new incident is accepted once stored (202), and its job waits for Redis', async () => {
  const server = await startDegradedServer(h, 'redis');
  try {
    const body = pagerDutyEvent('incident.triggered', { id: 'PNOREDIS' });
    const response = await fetch(server.url('/webhooks/pagerduty'), {
      method: 'POST',
      body,
      headers: { 'x-pagerduty-signature': pagerDutySignature(body, PD_SECRETS[0]!) },
    });
    assert.equal(response.status, 202);
    const { incidentId } = (await response.json()) as { incidentId: string };
    const trail = await h.database.db.auditEvent.findMany({ where: { incidentId }, orderBy: { seq: 'asc' } });
    assert.deepEqual(
      trail.map((row) => row.action),
      ['incident.opened', 'investigation.queued', 'webhook.accepted'],
    );
    // Its add waits for Redis; should the process stop first, the worker's sweep adds it (pagerduty-intake.test.ts).
  } finally {
    await server.stop();
  }
});
