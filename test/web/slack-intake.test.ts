import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { APP_TOKEN, SLACK_MODES } from '../support/slack-door.ts';
import { slackHeaders, slashCommandBody } from '../support/signing.ts';
import { until } from '../support/until.ts';
import { type Harness, SIGNING_SECRET, startHarness } from './harness.ts';

const diagnoseFields = (h: Harness, text: string, channel: string) => ({
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
  trigger_id: `13345224609.${Math.random().toString().slice(2)}.8088930838d88f008e0`,
  api_app_id: 'A123456',
});

const mention = (channel: string) => ({
  token: 'XXYYZZ',
  team_id: 'T0001',
  api_app_id: 'A123456',
  type: 'event_callback',
  event: {
    type: 'app_mention',
    user: 'UBOB',
    text: '<@UBOT> why is payments down?',
    ts: '1763633000.000100',
    channel,
    event_ts: '1763633000.000100',
  },
  authorizations: [{ team_id: 'T0001', user_id: 'UBOT', is_bot: true, is_enterprise_install: false }],
  event_id: 'Ev123',
  event_time: 1763633000,
});

// The same behaviour whichever way Slack reaches the bot: signed HTTP requests or Socket Mode envelopes.
for (const mode of SLACK_MODES) {
  describe(`Slack intake over ${mode === 'http' ? 'HTTP' : 'Socket Mode'}`, () => {
    let h: Harness;
    before(async () => {
      h = await startHarness({ slackMode: mode });
    });
    after(() => h.close());

    const incidentIn = (channel: string) =>
      until(`an incident for ${channel}`, () => h.database.db.incident.findFirst({ where: { slackChannel: channel } }));

    test('/diagnose is acknowledged, opens a root message where it was typed and queues the investigation', async () => {
      assert.equal(await h.slackDoor.command(diagnoseFields(h, 'checkout is failing namespace=shop', 'CDIAG')), 200);
      const incident = await incidentIn('CDIAG');
      const jobs = await until('the investigation job', async () => {
        const queued = await h.jobs.getJobs(['waiting', 'active', 'delayed']);
        return queued.length > 0 && queued;
      });
      const roots = h.slack.rootMessages().filter((call) => call.args.channel === 'CDIAG');
      assert.equal(roots.length, 1);
      assert.match(String(roots[0]?.args.text), /<@UALICE> asked to diagnose: checkout is failing/);
      const rootTs = roots[0]?.response?.ts;
      assert.equal(incident.source, 'slack');
      assert.equal(incident.slackThreadTs, rootTs);
      assert.match(incident.externalId, /^slack:trigger:/);
      assert.deepEqual((incident.alert as { labels: Record<string, string> }).labels, { namespace: 'shop' });
      assert.deepEqual(
        jobs.map((job) => job.data.incidentId),
        [incident.id],
      );
    });

    test('/diagnose namespace/deployment names the workload', async () => {
      assert.equal(await h.slackDoor.command(diagnoseFields(h, 'shop/checkout returns 500s', 'CWORKLOAD')), 200);
      const incident = await incidentIn('CWORKLOAD');
      assert.deepEqual((incident.alert as { labels: Record<string, string> }).labels, {
        namespace: 'shop',
        deployment: 'checkout',
      });
    });

    test('an @mention opens the investigation in the thread of the mention', async () => {
      assert.equal(await h.slackDoor.event(mention('CMENTION')), 200);
      const incident = await until('the mention incident', () =>
        h.database.db.incident.findUnique({ where: { externalId: 'slack:CMENTION:1763633000.000100' } }),
      );
      assert.equal(incident.slackThreadTs, '1763633000.000100');
      assert.equal(incident.title, 'why is payments down?');
      await queued(h, incident.id);
    });
  });
}

describe('Slack intake over HTTP: signatures', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(() => h.close());

  const diagnose = (text: string, channel: string) => slashCommandBody(diagnoseFields(h, text, channel));

  test('a Slack request with a bad signature or a timestamp older than five minutes is refused', async () => {
    // Bolt checks its token with auth.test at start-up, whenever that lands; anything else would be the request's doing.
    const callsOfRequests = () => h.slack.calls.filter((call) => call.method !== 'auth.test').length;
    const callsBefore = callsOfRequests();
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
    assert.equal(callsOfRequests(), callsBefore);
    assert.equal(await slackRefusals(3), 3, 'each refusal is counted in the audit trail');
    assert.equal(await h.database.db.incident.count({ where: { slackChannel: 'CREFUSED' } }), 0);
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

  /** Refused Slack requests counted in the audit trail, once there are `expected` (counted after the 401 is sent). */
  async function slackRefusals(expected: number): Promise<number> {
    await until(`${expected} counted refusals`, async () => (await h.refusalCount('slack')) >= expected);
    return h.refusalCount('slack');
  }
});

describe('Slack over Socket Mode: nothing from Slack calls in', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ slackMode: 'socket' });
  });
  after(() => h.close());

  test('there is no /slack/events endpoint; the webhooks and probes are still served', async () => {
    const body = slashCommandBody(diagnoseFields(h, 'over http', 'CHTTP'));
    assert.equal((await h.postSlack(body)).status, 404);
    assert.equal((await fetch(`${h.baseUrl}/healthz`)).status, 200);
    assert.equal((await h.post('/webhooks/alertmanager', '{}', { authorization: 'Bearer am-token' })).status, 400);
    assert.equal(h.slack.socketMode.connections, 1);
    assert.equal(h.slack.callsTo('apps.connections.open')[0]?.token, APP_TOKEN, 'opened with the app-level token');
  });

  test("after Slack's refresh_requested disconnect, the bot reconnects and commands arrive again", async () => {
    const opened = h.slack.callsTo('apps.connections.open').length;
    h.slack.socketMode.requestRefresh();
    await until('a new Socket Mode connection', () => h.slack.callsTo('apps.connections.open').length > opened);
    await h.slack.socketMode.connected();
    assert.equal(await h.slackDoor.command(diagnoseFields(h, 'after the refresh', 'CREFRESH')), 200);
    const incident = await until('the incident', () =>
      h.database.db.incident.findFirst({ where: { slackChannel: 'CREFRESH' } }),
    );
    await queued(h, incident.id);
    await until('the root message edited', () =>
      h.slack.callsTo('chat.update').some((call) => call.args.channel === 'CREFRESH'),
    );
  });
});

/**
 * Waits until intake has finished with the incident (its investigation.queued audit row is intake's last write), so
 * the harness does not drop the database under a handler still running: Socket Mode handlers outlive the request.
 */
function queued(h: Harness, incidentId: string) {
  return until('the investigation queued', () =>
    h.database.db.auditEvent.findFirst({ where: { incidentId, action: 'investigation.queued' } }),
  );
}
