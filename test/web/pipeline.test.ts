import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { investigationJobId } from '../../src/queue/investigation-queue.ts';
import {
  type ClusterHarness,
  INCIDENT_CHANNEL,
  isAnswer,
  isStatus,
  pagerDutyEvent,
  startTinyClusterHarness,
} from './harness.ts';
import { slashCommandBody } from '../support/signing.ts';
import { until } from '../support/until.ts';

let h: ClusterHarness;
before(async () => {
  h = await startTinyClusterHarness();
});
after(() => h.close());

const answers = (threadTs: string) => h.slack.replies(threadTs).filter(isAnswer);

/** The incident's thread, once the worker has opened it. */
function threadOf(incidentId: string): Promise<string> {
  return until(
    'the worker to open a thread',
    async () => (await h.database.db.incident.findUniqueOrThrow({ where: { id: incidentId } })).slackThreadTs,
  );
}

const BODY = pagerDutyEvent('incident.triggered', { id: 'PE2E', title: 'High error rate on checkout' }, 'EVT-E2E');

test('signed incident.triggered → 202; one root message, a status reply edited in place, one final answer', async () => {
  const response = await h.postPagerDuty(BODY);
  assert.equal(response.status, 202);
  const { incidentId } = (await response.json()) as { incidentId: string };
  const threadTs = await threadOf(incidentId);
  await h.slack.waitFor(() => answers(threadTs).length === 1, 30_000);

  const roots = h.slack.rootMessages();
  assert.equal(roots.length, 1);
  assert.equal(roots[0]?.args.channel, INCIDENT_CHANNEL);
  assert.equal(roots[0]?.response?.ts, threadTs);
  assert.match(JSON.stringify(roots[0]?.args.blocks), /High error rate on checkout/);
  assert.match(JSON.stringify(roots[0]?.args.blocks), /https:\/\/acme\.pagerduty\.com\/incidents\/PE2E/);

  await jobCompleted(incidentId);
  const investigation = await h.database.db.investigation.findFirstOrThrow({ where: { incidentId } });
  assert.equal(investigation.status, 'done');
  const statuses = h.slack.replies(threadTs).filter(isStatus);
  assert.equal(statuses.length, 1, 'one status reply');
  assert.equal(answers(threadTs).length, 1, 'one final answer');
  assert.equal(investigation.statusTs, statuses[0]?.response?.ts);
  assert.equal(investigation.finalTs, answers(threadTs)[0]?.response?.ts);
  const statusEdits = h.slack.callsTo('chat.update').filter((call) => call.args.ts === investigation.statusTs);
  assert.ok(statusEdits.length >= 1, 'the status reply is edited in place');
  const blocks = answers(threadTs)[0]!.args.blocks as { type: string }[];
  assert.ok(blocks.length <= 50);
  assert.equal(blocks[0]?.type, 'header');
  assert.ok(
    h.sim.requests().some((request) => request.server === 'kube'),
    'the investigation read the cluster',
  );

  const actions = new Set(
    (await h.database.db.auditEvent.findMany({ where: { incidentId } })).map((event) => event.action),
  );
  for (const action of [
    'incident.opened',
    'investigation.queued',
    'webhook.accepted',
    'investigation.started',
    'slack.posted',
    'investigation.finished',
  ]) {
    assert.ok(actions.has(action), `audit has ${action}`);
  }
});

test('the same webhook again, and 20 copies in parallel: still one thread and one investigation', async () => {
  const again = await h.postPagerDuty(BODY);
  assert.equal(again.status, 202);
  const parallel = await Promise.all(Array.from({ length: 20 }, () => h.postPagerDuty(BODY)));
  assert.ok(parallel.every((response) => response.status === 202));
  const { incidentId } = (await again.json()) as { incidentId: string };

  // Every webhook has been answered, so any job one of them added exists by now.
  const counts = await h.jobs.getJobCounts('waiting', 'active', 'delayed', 'completed', 'failed');
  assert.deepEqual(counts, { waiting: 0, active: 0, delayed: 0, completed: 1, failed: 0 });
  assert.equal(await h.database.db.incident.count({ where: { externalId: 'pagerduty:PE2E' } }), 1);
  assert.equal(await h.database.db.investigation.count({ where: { incidentId } }), 1);
  const threadTs = await threadOf(incidentId);
  assert.equal(h.slack.rootMessages().length, 1);
  assert.equal(answers(threadTs).length, 1);
});

test('/diagnose: the investigation answers in the thread of the message posted where it was typed', async () => {
  const body = slashCommandBody({
    command: '/diagnose',
    text: 'checkout is slow',
    user_id: 'UALICE',
    user_name: 'alice',
    channel_id: 'COPS',
    channel_name: 'ops',
    team_id: 'T0001',
    response_url: h.slack.responseUrl('diag'),
    trigger_id: '1.2.3',
    api_app_id: 'A1',
  });
  const response = await h.postSlack(body);
  assert.equal(response.status, 200);
  const incident = await h.database.db.incident.findFirstOrThrow({ where: { slackChannel: 'COPS' } });
  await jobCompleted(incident.id);
  const root = h.slack.rootMessages().filter((call) => call.args.channel === 'COPS');
  assert.equal(root.length, 1);
  assert.equal(root[0]?.response?.ts, incident.slackThreadTs);
  assert.equal(h.slack.replies(incident.slackThreadTs!).filter(isAnswer).length, 1);
  assert.equal(
    h.slack.rootMessages().filter((call) => call.args.channel === INCIDENT_CHANNEL).length,
    1,
    'no second root in the incident channel',
  );
});

test('incident.resolved says so in the thread', async () => {
  const resolved = await h.postPagerDuty(pagerDutyEvent('incident.resolved', { id: 'PE2E' }));
  assert.equal(resolved.status, 202);
  const { incidentId } = (await resolved.json()) as { incidentId: string };
  const threadTs = await threadOf(incidentId);
  const notes = () => h.slack.replies(threadTs).filter((call) => /Resolved in pagerduty/.test(String(call.args.text)));
  await h.slack.waitFor(() => notes().length > 0);
  assert.equal(notes().length, 1);
  const incident = await h.database.db.incident.findUniqueOrThrow({ where: { id: incidentId } });
  assert.equal(incident.status, 'resolved');
});

test('the answer reaches Slack only once every read and the decision it rests on are in the audit trail', async () => {
  // The investigation's reads are appended without waiting for each; the answer's post waits until they are committed.
  h.slack.storeThenHangNext('chat.postMessage', (args) =>
    isAnswer({ method: 'chat.postMessage', args, token: undefined }),
  );
  const response = await h.postPagerDuty(
    pagerDutyEvent('incident.triggered', { id: 'PSETTLED', title: 'High error rate on checkout' }, 'EVT-SETTLED'),
  );
  const { incidentId } = (await response.json()) as { incidentId: string };
  await until('the answer to reach Slack, its reply held', () => h.slack.heldCount > 0);
  const whenShown = await h.database.db.auditEvent.findMany({ where: { incidentId } });
  h.slack.releaseHeld();
  await jobCompleted(incidentId);
  const atEnd = await h.database.db.auditEvent.findMany({ where: { incidentId } });
  const reads = (rows: typeof atEnd) => rows.filter((row) => row.action.startsWith('tool.')).length;
  assert.ok(reads(whenShown) > 0, 'the investigation read the cluster');
  assert.equal(reads(whenShown), reads(atEnd), 'every read was committed before the answer was shown');
  assert.ok(whenShown.some((row) => row.action === 'investigation.decided'));
});

/** Waits for the incident's BullMQ job to complete: everything the worker does for it is then done. */
async function jobCompleted(incidentId: string): Promise<void> {
  await until(
    'the investigation job to finish',
    async () => (await h.jobs.getJob(investigationJobId(incidentId)))?.finishedOn !== undefined,
  );
}
