import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startMetricsServer } from '../../src/observability/metrics-server.ts';
import { answeredThread, type Harness, startTinyClusterHarness } from './harness.ts';

// The set-up for clusters that take no inbound traffic from outside: Slack over Socket Mode, alerts from the
// cluster's own Alertmanager, no PagerDuty. Every request the bot receives comes from inside the cluster.
let h: Harness;
before(async () => {
  h = await startTinyClusterHarness({ slackMode: 'socket', pagerDuty: false });
});
after(() => h.close());

const firing = JSON.stringify({
  version: '4',
  groupKey: '{}:{alertname="KubePodNotReady", namespace="shop"}',
  status: 'firing',
  receiver: 'incident-bot',
  commonLabels: { alertname: 'KubePodNotReady', namespace: 'shop', pod: 'checkout-0' },
  commonAnnotations: { summary: 'checkout-0 is not ready' },
  alerts: [{ status: 'firing', labels: { alertname: 'KubePodNotReady', namespace: 'shop', pod: 'checkout-0' } }],
});

test('Socket Mode + Alertmanager: an alert is investigated and answered in its thread; no Slack or PagerDuty endpoint exists', async () => {
  assert.equal(h.slack.socketMode.connections, 1, 'Slack is reached over the bot’s own WebSocket');
  const response = await h.post('/webhooks/alertmanager', firing, { authorization: 'Bearer am-token' });
  assert.equal(response.status, 202);
  const { incidentId } = (await response.json()) as { incidentId: string };
  await answeredThread(h, incidentId);

  assert.equal((await h.post('/slack/events', '{}')).status, 404);
  assert.equal((await h.postPagerDuty('{}')).status, 404);
});

test('the Socket Mode connection is a metric, to alert on a bot that cannot hear Slack', async () => {
  const metrics = await startMetricsServer(0, {});
  try {
    const text = await (await fetch(`http://127.0.0.1:${metrics.port}/metrics`)).text();
    assert.match(text, /^incident_bot_slack_socket_connected 1$/m);
  } finally {
    await metrics.close();
  }
});
