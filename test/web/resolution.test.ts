import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { type Harness, openThread, pagerDutyEvent, startHarness } from './harness.ts';

let h: Harness;
before(async () => {
  h = await startHarness();
});
after(() => h.close());

/** A PagerDuty incident whose thread the worker has opened (its root posted, its ts stored), as after an answer. */
async function incidentWithThread(pagerDutyId: string): Promise<{ incidentId: string; threadTs: string }> {
  const triggered = await h.postPagerDuty(pagerDutyEvent('incident.triggered', { id: pagerDutyId }));
  const { incidentId } = (await triggered.json()) as { incidentId: string };
  return { incidentId, threadTs: await openThread(h, incidentId, 'diagnosed') };
}

const statusEvents = (incidentId: string) =>
  h.database.db.auditEvent.findMany({ where: { incidentId, action: 'incident.status' }, orderBy: { seq: 'asc' } });

test('ten copies of incident.resolved at once: one status change, audited once, one reply, the root re-rendered', async () => {
  const { incidentId, threadTs } = await incidentWithThread('PRESOLVE10');
  const copies = await Promise.all(
    Array.from({ length: 10 }, () => h.postPagerDuty(pagerDutyEvent('incident.resolved', { id: 'PRESOLVE10' }))),
  );
  assert.deepEqual(
    copies.map((response) => response.status),
    Array(10).fill(202),
  );
  const incident = await h.database.db.incident.findUniqueOrThrow({ where: { id: incidentId } });
  assert.equal(incident.status, 'resolved');
  // The status change is audited as every other one is (who moved it, from what), and exactly once.
  const moves = await statusEvents(incidentId);
  assert.deepEqual(
    moves.map((row) => ({ actor: row.actor, details: row.details })),
    [{ actor: 'pagerduty', details: { from: 'diagnosed', to: 'resolved' } }],
  );
  const notes = () => h.slack.replies(threadTs).filter((call) => /Resolved in pagerduty/.test(String(call.args.text)));
  await h.slack.waitFor(() => notes().length > 0);
  const rootEdits = () =>
    h.slack
      .callsTo('chat.update')
      .filter((call) => call.args.ts === threadTs && /Resolved/.test(String(call.args.text)));
  await h.slack.waitFor(() => rootEdits().length > 0);
  assert.equal(notes().length, 1, 'one "Resolved" reply');
  assert.equal(rootEdits().length, 1, 'the root edited once');
});

test('a reopen after the resolution moves the status through the same place: audited, root re-rendered', async () => {
  const { incidentId, threadTs } = await incidentWithThread('PREOPENED');
  assert.equal((await h.postPagerDuty(pagerDutyEvent('incident.resolved', { id: 'PREOPENED' }))).status, 202);
  const reopened = await h.postPagerDuty(pagerDutyEvent('incident.reopened', { id: 'PREOPENED' }));
  assert.equal(reopened.status, 202);
  const incident = await h.database.db.incident.findUniqueOrThrow({ where: { id: incidentId } });
  assert.equal(incident.status, 'triggered');
  assert.equal(incident.round, 2);
  assert.deepEqual(
    (await statusEvents(incidentId)).map((row) => row.details),
    [{ from: 'diagnosed', to: 'resolved' }],
  );
  const reopenEvents = await h.database.db.auditEvent.findMany({ where: { incidentId, action: 'incident.reopened' } });
  assert.deepEqual(
    reopenEvents.map((row) => ({ actor: row.actor, details: row.details })),
    [{ actor: 'pagerduty', details: { from: 'resolved', to: 'triggered', round: 2 } }],
  );
  // Until the worker picks the new round up, the root no longer says "Resolved".
  await h.slack.waitFor(() =>
    h.slack
      .callsTo('chat.update')
      .some((call) => call.args.ts === threadTs && /Triggered/.test(String(call.args.text))),
  );
});
