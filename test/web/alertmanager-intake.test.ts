import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { groupKeyHash } from '../../src/intake/alertmanager.ts';
import { until } from '../support/until.ts';
import { type Harness, startHarness } from './harness.ts';

let h: Harness;
before(async () => {
  h = await startHarness();
});
after(() => h.close());

const GROUP_KEY = '{}/{severity="page"}:{alertname="KubePodCrashLooping", namespace="payments"}';

const group = (status: 'firing' | 'resolved') =>
  JSON.stringify({
    version: '4',
    groupKey: GROUP_KEY,
    truncatedAlerts: 0,
    status,
    receiver: 'diagnose-bot',
    groupLabels: { alertname: 'KubePodCrashLooping', namespace: 'payments' },
    commonLabels: { alertname: 'KubePodCrashLooping', namespace: 'payments', severity: 'page' },
    commonAnnotations: { summary: 'Pod is crash looping' },
    externalURL: 'http://alertmanager:9093',
    alerts: [
      {
        status,
        labels: { alertname: 'KubePodCrashLooping', namespace: 'payments', pod: 'api-7d9f-abc12', container: 'api' },
        annotations: { description: 'api restarts every minute' },
        startsAt: '2024-05-01T10:00:00Z',
        endsAt: '0001-01-01T00:00:00Z',
        generatorURL: 'http://prometheus:9090/graph?g0.expr=x',
        fingerprint: 'c4a0d9b6e5f1a2b3',
      },
    ],
  });

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

test('without the bearer token: 401 and nothing stored', async () => {
  assert.equal((await h.post('/webhooks/alertmanager', group('firing'))).status, 401);
  assert.equal((await h.post('/webhooks/alertmanager', group('firing'), bearer('wrong'))).status, 401);
  assert.equal(await h.database.db.incident.count(), 0);
});

test('malformed bodies: 400', async () => {
  assert.equal((await h.post('/webhooks/alertmanager', '{"version":', bearer('am-token'))).status, 400);
  assert.equal((await h.post('/webhooks/alertmanager', '{"alerts":[]}', bearer('am-token'))).status, 400);
  assert.equal(await h.database.db.incident.count(), 0);
});

test('a firing group becomes one incident with merged labels; resolved marks it resolved', async () => {
  const fired = await h.post('/webhooks/alertmanager', group('firing'), bearer('am-token'));
  assert.equal(fired.status, 202);
  assert.equal((await h.post('/webhooks/alertmanager', group('firing'), bearer('am-token'))).status, 202);
  const incident = await h.database.db.incident.findUniqueOrThrow({
    where: { externalId: `alertmanager:${groupKeyHash(GROUP_KEY)}` },
  });
  assert.equal(incident.title, 'Pod is crash looping');
  const alert = incident.alert as { labels: Record<string, string>; startsAt: string };
  assert.equal(alert.labels.pod, 'api-7d9f-abc12');
  assert.equal(alert.labels.severity, 'page');
  assert.equal(alert.startsAt, '2024-05-01T10:00:00Z');
  assert.equal(await h.database.db.incident.count(), 1);
  // The job is added once the webhook was answered.
  await until('its job', async () => (await h.jobs.count()) > 0);
  assert.equal(await h.jobs.count(), 1);

  assert.equal((await h.post('/webhooks/alertmanager', group('resolved'), bearer('am-token'))).status, 202);
  const resolved = await h.database.db.incident.findUniqueOrThrow({ where: { id: incident.id } });
  assert.equal(resolved.status, 'resolved');
});
