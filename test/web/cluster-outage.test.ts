import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { until } from '../support/until.ts';
import { type GatedClusterHarness, isAnswer, pagerDutyEvent, startGatedClusterHarness } from './harness.ts';

let h: GatedClusterHarness;

before(async () => {
  // Short delays so the test does not wait minutes; the window still spans several attempts.
  h = await startGatedClusterHarness({ retry: { windowMs: 60_000, firstDelayMs: 200 } });
});

after(() => h.close());

test('an API server unreachable for a while: the investigation is retried, then answered once', async () => {
  h.gate.refuse();
  const response = await h.postPagerDuty(pagerDutyEvent('incident.triggered', { id: 'POUTAGE' }));
  assert.equal(response.status, 202);
  const { incidentId } = (await response.json()) as { incidentId: string };
  const failures = () => h.database.db.auditEvent.count({ where: { incidentId, action: 'investigation.failed' } });
  await until('two attempts to fail on the outage', async () => (await failures()) >= 2);
  h.gate.refuse(false);

  await until('the investigation to be recorded as done', async () => {
    const investigation = await h.database.db.investigation.findFirst({ where: { incidentId } });
    return investigation?.status === 'done';
  });
  const incident = await h.database.db.incident.findUniqueOrThrow({ where: { id: incidentId } });
  const answers = h.slack.replies(incident.slackThreadTs!).filter(isAnswer);
  assert.equal(answers.length, 1);
  assert.match(String(answers[0]?.args.text), /checkout/, 'answered from the evidence read after the outage');
  assert.equal(h.slack.rootMessages().length, 1);
});

test('an outage while the evidence of a named namespace is read fails the attempt, not the answer', async () => {
  h.gate.refuse();
  const group = JSON.stringify({
    version: '4',
    groupKey: '{}:{alertname="CheckoutErrors"}',
    status: 'firing',
    commonLabels: { alertname: 'CheckoutErrors', namespace: 'shop' },
    commonAnnotations: { summary: 'checkout 5xx' },
    alerts: [{ status: 'firing', labels: {}, annotations: {} }],
  });
  const response = await h.post('/webhooks/alertmanager', group, { authorization: 'Bearer am-token' });
  assert.equal(response.status, 202);
  const { incidentId } = (await response.json()) as { incidentId: string };
  await until('an attempt to fail on the outage', () =>
    h.database.db.auditEvent.count({ where: { incidentId, action: 'investigation.failed' } }),
  );
  h.gate.refuse(false);
  const answer = await until('the answer', async () => {
    const incident = await h.database.db.incident.findUniqueOrThrow({ where: { id: incidentId } });
    return incident.slackThreadTs ? h.slack.replies(incident.slackThreadTs).find(isAnswer) : undefined;
  });
  assert.match(String(answer.args.text), /^Root cause: Pod shop\/checkout-0/);
});
