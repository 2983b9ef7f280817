import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { slackHeaders, slashCommandBody } from '../support/signing.ts';
import { type Harness, SIGNING_SECRET, startHarness } from './harness.ts';

let h: Harness;
before(async () => {
  h = await startHarness();
});
after(() => h.close());

const diagnose = (text: string, channel = 'CDIAG') =>
  slashCommandBody({
    token: 'legacy',
    team_id: 'T0001',
    team_domain: 'acme',
    channel_id: channel,
    channel_name: 'ops',
    user_id: 'UALICE',
    user_name: 'alice',
    command: '/diagnose',
    text,
    response_url: h.slack.responseUrl('diag'),
    trigger_id: '13345224609.738474920.8088930838d88f008e0',
    api_app_id: 'A123456',
  });

test('signed /diagnose is acked, opens a root message where it was typed and queues the investigation', async () => {
  const response = await h.postSlack(diagnose('checkout is failing namespace=shop'));
  assert.equal(response.status, 200);
  const roots = h.slack.rootMessages().filter((call) => call.args.channel === 'CDIAG');
  assert.equal(roots.length, 1);
  assert.match(String(roots[0]?.args.text), /<@UALICE> asked to diagnose: checkout is failing/);

  const incident = await h.database.db.incident.findFirstOrThrow({ where: { source: 'slack' } });
  const rootTs = h.slack.callsTo('chat.update').find((call) => call.args.channel === 'CDIAG')?.args.ts;
  assert.equal(incident.slackChannel, 'CDIAG');
  assert.equal(incident.slackThreadTs, rootTs);
  assert.equal(incident.externalId, `slack:CDIAG:${rootTs}`);
  assert.deepEqual((incident.alert as { labels: Record<string, string> }).labels, { namespace: 'shop' });
  const jobs = await h.jobs.getJobs(['waiting', 'active', 'delayed']);
  assert.deepEqual(
    jobs.map((job) => job.data.incidentId),
    [incident.id],
  );
});

test('/diagnose namespace/deployment names the workload', async () => {
  assert.equal((await h.postSlack(diagnose('shop/checkout returns 500s', 'CWORKLOAD'))).status, 200);
  const incident = await h.database.db.incident.findFirstOrThrow({ where: { slackChannel: 'CWORKLOAD' } });
  assert.deepEqual((incident.alert as { labels: Record<string, string> }).labels, {
    namespace: 'shop',
    deployment: 'checkout',
  });
});

test('a Slack request with a bad signature or a timestamp older than five minutes is refused', async () => {
  const callsBefore = h.slack.calls.length;
  const body = diagnose('should not run', 'CREFUSED');
  const badSignature = await h.post('/slack/events', body, {
    'content-type': 'application/x-www-form-urlencoded',
    ...slackHeaders('some-other-secret', body),
  });
  assert.equal(badSignature.status, 401);
  const stale = await h.postSlack(body, undefined, Math.floor(Date.now() / 1000) - 6 * 60);
  assert.equal(stale.status, 401);
  const unsigned = await h.post('/slack/events', body, { 'content-type': 'application/x-www-form-urlencoded' });
  assert.equal(unsigned.status, 401);
  assert.equal(h.slack.calls.length, callsBefore);
  assert.equal(await slackRefusals(3), 3, 'each refusal is audited');
  assert.equal(await h.database.db.incident.count({ where: { slackChannel: 'CREFUSED' } }), 0);
});

test('an @mention opens the investigation in the thread of the mention', async () => {
  const body = JSON.stringify({
    token: 'XXYYZZ',
    team_id: 'T0001',
    api_app_id: 'A123456',
    type: 'event_callback',
    event: {
      type: 'app_mention',
      user: 'UBOB',
      text: '<@UBOT> why is payments down?',
      ts: '1763633000.000100',
      channel: 'CMENTION',
      event_ts: '1763633000.000100',
    },
    authorizations: [{ team_id: 'T0001', user_id: 'UBOT', is_bot: true, is_enterprise_install: false }],
    event_id: 'Ev123',
    event_time: 1763633000,
  });
  const response = await h.postSlack(body, 'application/json');
  assert.equal(response.status, 200);
  const incident = await h.database.db.incident.findUniqueOrThrow({
    where: { externalId: 'slack:CMENTION:1763633000.000100' },
  });
  assert.equal(incident.slackThreadTs, '1763633000.000100');
  assert.equal(incident.title, 'why is payments down?');
});

test('url_verification is answered only when signed', async () => {
  const body = JSON.stringify({ token: 't', challenge: 'c-123', type: 'url_verification' });
  const signed = await h.postSlack(body, 'application/json');
  assert.equal(signed.status, 200);
  assert.deepEqual(await signed.json(), { challenge: 'c-123' });
  const unsigned = await h.post('/slack/events', body, slackHeaders(`${SIGNING_SECRET}x`, body));
  assert.equal(unsigned.status, 401);
  assert.equal(await slackRefusals(4), 4);
});

/** Refused Slack requests in the audit trail, once there are `expected` (the audit is written after the 401). */
async function slackRefusals(expected: number): Promise<number> {
  const count = () => h.database.db.auditEvent.count({ where: { action: 'webhook.refused', target: 'slack' } });
  const deadline = Date.now() + 5_000;
  while ((await count()) < expected && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
  return count();
}
