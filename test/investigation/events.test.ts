import assert from 'node:assert/strict';
import { test } from 'node:test';
import { eventEvidence, eventsFor } from '../../src/investigation/evidence/events.ts';
import { troubleByNamespace } from '../../src/investigation/evidence/namespace-trouble.ts';
import { app, cluster, event, NS } from './support/cluster.ts';

const backOff = 'Back-off restarting failed container main';

test('a repeated event recorded as several Event objects counts once, with their counts added and the latest time', () => {
  const snapshot = cluster((s) => {
    app(s, 'ledger');
    event(s, { kind: 'Pod', name: 'ledger-x' }, 'BackOff', backOff, '2026-11-20T10:10:00Z');
    event(s, { kind: 'Pod', name: 'ledger-x' }, 'BackOff', backOff, '2026-11-20T10:25:00Z');
    event(s, { kind: 'Pod', name: 'ledger-x' }, 'Unhealthy', 'Liveness probe failed', '2026-11-20T10:20:00Z');
  });
  const events = eventsFor(snapshot, 'Pod', NS, 'ledger-x');
  assert.equal(events.length, 2);
  const [latest] = events;
  assert.equal(latest?.reason, 'BackOff');
  assert.equal(latest?.lastTimestamp, '2026-11-20T10:25:00Z');
  assert.equal(eventEvidence(latest as NonNullable<typeof latest>).text, `BackOff: ${backOff} (×10)`);
});

test('a namespace is not made to look more troubled by the repeats of one event', () => {
  const snapshot = cluster((s) => {
    for (let i = 0; i < 6; i++) event(s, { kind: 'Pod', name: 'noisy-x' }, 'BackOff', backOff);
    event(s, { kind: 'Pod', name: 'a-x', namespace: 'other' }, 'BackOff', backOff);
    event(s, { kind: 'Pod', name: 'b-x', namespace: 'other' }, 'Failed', 'ErrImagePull');
  });
  const signs = troubleByNamespace({ pods: [], events: snapshot.events, services: [], endpoints: [] });
  assert.equal(signs.get(NS), 1);
  assert.equal(signs.get('other'), 2);
});
