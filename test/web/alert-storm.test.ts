import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { threadText } from '../support/thread-text.ts';
import { until } from '../support/until.ts';
import { answeredThread, type Harness, INCIDENT_CHANNEL, isAnswer, startTinyClusterHarness } from './harness.ts';

let h: Harness;
before(async () => {
  h = await startTinyClusterHarness();
});
after(() => h.close());

/** One Alertmanager group (its own group key) with one alert. */
function group(
  name: string,
  labels: Record<string, string>,
  status: 'firing' | 'resolved' = 'firing',
  summary = `${name} firing`,
): string {
  const all = { alertname: name, severity: 'page', ...labels };
  return JSON.stringify({
    version: '4',
    groupKey: `{}:{alertname="${name}", namespace="${labels.namespace ?? ''}"}`,
    status,
    receiver: 'incident-bot',
    groupLabels: { alertname: name, ...(labels.namespace ? { namespace: labels.namespace } : {}) },
    commonLabels: all,
    commonAnnotations: { summary },
    externalURL: 'http://alertmanager:9093',
    alerts: [{ status, labels: all, annotations: {}, startsAt: '2026-11-20T10:05:00Z', fingerprint: name }],
  });
}

const send = async (body: string) => {
  const response = await h.post('/webhooks/alertmanager', body, { authorization: 'Bearer am-token' });
  assert.equal(response.status, 202, await response.clone().text());
  return (await response.json()) as { incidentId: string; joined?: boolean; jobId: string | null };
};

// Thirty alerts of one fault (the checkout pod cannot pull its image): different rules, one namespace.
const STORM = Array.from({ length: 30 }, (_, i) =>
  group(
    i === 0 ? 'CheckoutErrorRate' : `CheckoutSymptom${String(i).padStart(2, '0')}`,
    i % 3 === 0 ? { namespace: 'shop' } : { namespace: 'shop', pod: 'checkout-0' },
    'firing',
    i === 0 ? 'High error rate on checkout' : `checkout symptom ${i}`,
  ),
);

let stormIncident = '';
let stormThread = '';

test('30 alerts of one fault arriving at once: one incident, one thread, one investigation', async () => {
  const first = await send(STORM[0]!);
  const rest = await Promise.all(STORM.slice(1).map(send));
  stormIncident = first.incidentId;
  assert.ok(rest.every((opened) => opened.incidentId === first.incidentId && opened.joined === true));
  assert.equal(await h.database.db.incident.count(), 1);
  assert.equal(await h.database.db.incidentAlert.count({ where: { incidentId: stormIncident } }), 30);
  stormThread = await answeredThread(h, stormIncident);
  assert.equal(h.slack.rootMessages().length, 1, 'one thread');
  // Every related alert is checked against the answer: all on its path, so no second round.
  await until('every related alert checked', async () =>
    (await h.database.db.incidentAlert.count({
      where: { incidentId: stormIncident, explained: null, primary: false },
    })) === 0
      ? true
      : null,
  );
  const alerts = await h.database.db.incidentAlert.findMany({ where: { incidentId: stormIncident, primary: false } });
  assert.ok(
    alerts.every((alert) => alert.explained === true),
    JSON.stringify(alerts.map((a) => a.explanation)),
  );
  assert.equal((await h.database.db.incident.findUniqueOrThrow({ where: { id: stormIncident } })).round, 1);
  assert.equal(await h.database.db.investigation.count(), 1);
  assert.equal(h.slack.replies(stormThread).filter(isAnswer).length, 1);
  // One related-alerts message, edited in place: every alert a line of it, not a reply of its own.
  const explainedLines = () => threadText(h.slack, INCIDENT_CHANNEL, stormThread).match(/explained by the answer/g);
  await h.slack.waitFor(() => explainedLines()?.length === 29);
  const related = h.slack.replies(stormThread).filter((call) => /related alert/.test(String(call.args.text)));
  assert.equal(related.length, 1, 'one related-alerts message');
  const text = threadText(h.slack, INCIDENT_CHANNEL, stormThread);
  assert.match(text, /29 related alerts joined this incident \(same namespace `shop`\)/);
  if (process.env.STORM_THREAD_OUT) process.stdout.write(`\n${text}\n`);
});

test('an alert of the storm the answer does not explain: a new round in the same thread', async () => {
  const other = await send(group('PaymentsDown', { namespace: 'shop', deployment: 'payments' }));
  assert.equal(other.incidentId, stormIncident);
  const round2 = await until('a second round', async () => {
    const incident = await h.database.db.incident.findUniqueOrThrow({ where: { id: stormIncident } });
    return incident.round === 2 ? incident : null;
  });
  assert.equal(round2.slackThreadTs, stormThread);
  await h.slack.waitFor(() => h.slack.replies(stormThread).filter(isAnswer).length === 2, 30_000);
  assert.equal(h.slack.rootMessages().length, 1, 'still one thread');
  // The round's status reply said why (it is edited as round 2 progresses); the alert's line keeps it.
  const said = h.slack.replies(stormThread).map((call) => String(call.args.text));
  assert.ok(
    said.some((text) => /Related alert "PaymentsDown firing" is not explained/.test(text)),
    said.join('\n'),
  );
  assert.match(
    threadText(h.slack, INCIDENT_CHANNEL, stormThread),
    /deployment=payments is not on the answer's path .* → round 2/,
  );
});

test('the incident resolves only once every alert of it has', async () => {
  const resolving = STORM.map((body) => body.replaceAll('"firing"', '"resolved"'));
  await Promise.all(resolving.slice(0, 29).map(send));
  const open = await h.database.db.incident.findUniqueOrThrow({ where: { id: stormIncident } });
  assert.notEqual(open.status, 'resolved');
  await send(resolving[29]!);
  await send(group('PaymentsDown', { namespace: 'shop', deployment: 'payments' }, 'resolved'));
  const resolved = await h.database.db.incident.findUniqueOrThrow({ where: { id: stormIncident } });
  assert.equal(resolved.status, 'resolved');
  await h.slack.waitFor(() =>
    /all 31 alerts of this incident have resolved/.test(threadText(h.slack, INCIDENT_CHANNEL, stormThread)),
  );
  // Every alert's line says it resolved.
  await h.slack.waitFor(() => /All 31 alerts have resolved/.test(threadText(h.slack, INCIDENT_CHANNEL, stormThread)));
  assert.doesNotMatch(threadText(h.slack, INCIDENT_CHANNEL, stormThread), /🔴 firing/);
  if (process.env.STORM_THREAD_OUT) process.stdout.write(`\n${threadText(h.slack, INCIDENT_CHANNEL, stormThread)}\n`);
});

test('10 alerts of 10 unrelated faults (10 namespaces) at once: 10 threads', async () => {
  const before = h.slack.rootMessages().length;
  const opened = await Promise.all(
    Array.from({ length: 10 }, (_, i) =>
      send(group('KubePodCrashLooping', { namespace: `team-${i}`, pod: `api-${i}` })),
    ),
  );
  assert.equal(new Set(opened.map((o) => o.incidentId)).size, 10);
  assert.ok(opened.every((o) => !o.joined));
  await h.slack.waitFor(() => h.slack.rootMessages().length === before + 10, 60_000);
});
