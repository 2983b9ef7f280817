import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { SlackCall } from '../support/fake-slack.ts';
import { slashCommandBody } from '../support/signing.ts';
import { until } from '../support/until.ts';
import { type Harness, isAnswer, pagerDutyEvent, startTinyClusterHarness } from './harness.ts';

const INJECTION = '<!channel> <!here> <@UEVIL123> <!subteam^S0EVIL> <https://evil.example|Click to re-authenticate>';
/** What would render as a live mention or a disguised link if it reached mrkdwn unescaped. */
const LIVE = /<!channel>|<!here>|<@UEVIL123>|<!subteam\^|<https:\/\/evil/;

let h: Harness;
before(async () => {
  h = await startTinyClusterHarness();
});
after(() => h.close());

/** Every piece of text Slack would render as mrkdwn: the notification text and each mrkdwn text object. */
function mrkdwnOf(call: SlackCall): string[] {
  const texts = typeof call.args.text === 'string' ? [call.args.text] : [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) {
      for (const item of node) walk(item);
      return;
    }
    if (node === null || typeof node !== 'object') return;
    const object = node as Record<string, unknown>;
    if (object.type === 'mrkdwn' && typeof object.text === 'string') texts.push(object.text);
    for (const value of Object.values(object)) walk(value);
  };
  walk(call.args.blocks);
  return texts;
}

async function threadAnswered(incidentId: string): Promise<string> {
  return until(
    'the answer',
    async () => {
      const incident = await h.database.db.incident.findUniqueOrThrow({ where: { id: incidentId } });
      return incident.slackThreadTs && h.slack.replies(incident.slackThreadTs).some(isAnswer)
        ? incident.slackThreadTs
        : undefined;
    },
    120_000,
  );
}

test('mentions and links in a title, a summary, a generatorURL or /diagnose text never reach Slack live', async () => {
  const pagerduty = await h.postPagerDuty(
    pagerDutyEvent('incident.triggered', { id: 'PINJECT', title: `checkout 5xx ${INJECTION}` }),
  );
  const alertmanager = await h.post(
    '/webhooks/alertmanager',
    JSON.stringify({
      version: '4',
      groupKey: '{}:{alertname="Injected"}',
      status: 'firing',
      commonLabels: { alertname: 'Injected', namespace: 'shop' },
      commonAnnotations: { summary: `shop errors ${INJECTION}`, description: INJECTION },
      alerts: [
        {
          status: 'firing',
          labels: { pod: 'checkout-0' },
          annotations: {},
          generatorURL: 'https://evil.example|Click to re-authenticate',
        },
      ],
    }),
    { authorization: 'Bearer am-token' },
  );
  const slash = await h.postSlack(
    slashCommandBody({
      team_id: 'T0001',
      channel_id: 'CINJECT',
      user_id: 'UALICE',
      command: '/diagnose',
      text: `shop/checkout ${INJECTION}`,
      response_url: h.slack.responseUrl('inject'),
      trigger_id: 'trigger.inject.1',
      api_app_id: 'A123456',
    }),
  );
  assert.equal(slash.status, 200);
  const ids = [
    ((await pagerduty.json()) as { incidentId: string }).incidentId,
    ((await alertmanager.json()) as { incidentId: string }).incidentId,
    (
      await until('the /diagnose incident', () =>
        h.database.db.incident.findFirst({ where: { slackChannel: 'CINJECT' } }),
      )
    ).id,
  ];
  for (const id of ids) await threadAnswered(id);

  const rendered = h.slack.calls.filter((call) => call.method.startsWith('chat.')).flatMap(mrkdwnOf);
  assert.ok(
    rendered.some((text) => text.includes('&lt;!channel&gt;')),
    'the text is shown, escaped',
  );
  for (const text of rendered) assert.doesNotMatch(text, LIVE);
  // A link field meant to be one is still a link; one that is not a valid http(s) URL is dropped.
  assert.ok(rendered.some((text) => text.includes('<https://acme.pagerduty.com/incidents/PINJECT|Open in pagerduty>')));
  assert.ok(rendered.some((text) => text.includes('Source: alertmanager')));
});
