import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { until } from '../support/until.ts';
import { type Harness, INCIDENT_CHANNEL, startTinyClusterHarness } from './harness.ts';

let h: Harness;
before(async () => {
  h = await startTinyClusterHarness();
});
after(() => h.close());

/** An Alertmanager group whose alert carries `runbook_url`, as Prometheus rules usually set it. */
const group = (key: string, runbookUrl: string) =>
  JSON.stringify({
    version: '4',
    groupKey: `{}:{alertname="${key}"}`,
    truncatedAlerts: 0,
    status: 'firing',
    receiver: 'diagnose-bot',
    groupLabels: { alertname: key },
    // A namespace each: alerts on one namespace would join one incident's thread (alert grouping).
    commonLabels: { alertname: key, namespace: key.toLowerCase(), severity: 'page' },
    commonAnnotations: { summary: `${key} is failing`, runbook_url: runbookUrl },
    externalURL: 'http://alertmanager:9093',
    alerts: [
      {
        status: 'firing',
        labels: { alertname: key, namespace: key.toLowerCase() },
        annotations: {},
        startsAt: '2026-12-06T03:00:00Z',
        endsAt: '0001-01-01T00:00:00Z',
        generatorURL: 'http://prometheus:9090/graph?g0.expr=x',
        fingerprint: key,
      },
    ],
  });

/** The root message's blocks once the worker has posted it for the incident the webhook opened. */
async function rootOf(body: string): Promise<string> {
  const response = await h.post('/webhooks/alertmanager', body, { authorization: 'Bearer am-token' });
  assert.equal(response.status, 202);
  const { incidentId } = (await response.json()) as { incidentId: string };
  const ts = await until(
    'the root message',
    async () => (await h.database.db.incident.findUniqueOrThrow({ where: { id: incidentId } })).slackThreadTs,
  );
  const root = h.slack.storedMessages(INCIDENT_CHANNEL).find((message) => message.ts === ts);
  return JSON.stringify(root?.blocks);
}

test("the alert's runbook_url is a link in the root message: https only, never a link made of other text", async () => {
  assert.match(
    await rootOf(group('RunbookHttps', 'https://runbooks.example.com/checkout#5xx')),
    /<https:\/\/runbooks\.example\.com\/checkout#5xx\|Runbook>/,
  );
  const refused = await Promise.all([
    rootOf(group('RunbookHttp', 'http://runbooks.example.com/plain')),
    rootOf(group('RunbookScript', 'javascript:alert(1)')),
    rootOf(group('RunbookInjected', 'https://ok.example.com/run|<!channel>')),
  ]);
  assert.doesNotMatch(refused[0]!, /\|Runbook>/);
  assert.doesNotMatch(refused[1]!, /\|Runbook>/);
  // The URL is percent-encoded: nothing in it closes the link or mentions anyone.
  assert.match(refused[2]!, /<https:\/\/ok\.example\.com\/run%7C%3C!channel%3E\|Runbook>/);
  assert.doesNotMatch(refused[2]!, /<!channel>/);
});
