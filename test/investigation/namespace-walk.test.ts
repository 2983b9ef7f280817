import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Focus } from '../../src/investigation/focus.ts';
import { diagnose } from '../../src/investigation/ranking/diagnose.ts';
import { app, cluster, NS } from './support/cluster.ts';
import { replayScenarioFile } from './support/replay.ts';

// Always a reasoned answer: an alert that names only the namespace leaves no symptom to walk from, so every workload
// of the namespace stands where users enter; "no root cause" then lists what was checked.

const namespaceOnly: Focus = {
  namespace: NS,
  symptom: null,
  startedAt: '2026-11-20T10:20:00Z',
  alertText: 'ErrorBudgetBurn',
  assumptions: [],
};

test('with no symptom and no hinted workload, a change acting on any workload of the namespace is the suspect', () => {
  const snapshot = cluster((s) => {
    app(s, 'teller');
    app(s, 'vault-proxy');
    s.networkPolicies.push({
      metadata: { name: 'teller-lockdown', namespace: NS, creationTimestamp: '2026-11-20T10:12:00Z' },
      spec: { podSelector: { matchLabels: { app: 'teller' } }, policyTypes: ['Ingress'], ingress: [] },
    });
  });
  const d = diagnose(snapshot, namespaceOnly, {});
  assert.deepEqual(d.rootCause, { kind: 'NetworkPolicy', namespace: NS, name: 'teller-lockdown' });
  assert.ok(d.confidence > 0 && d.confidence <= 0.5, `${d.confidence}`);
});

test('when nothing in the namespace is abnormal, the answer says which of its objects were checked', () => {
  const d = diagnose(
    cluster((s) => {
      app(s, 'teller');
    }),
    namespaceOnly,
    {},
  );
  assert.equal(d.rootCause, null);
  assert.match(d.summary, /Checked on its path: Deployment teller, Service teller/);
});

test('replayed through the collector: an alert naming only the namespace, a Service now sending traffic to the admin port', async () => {
  const { result } = await replayScenarioFile(
    join(import.meta.dirname, '../fixtures/scenarios/tollbooth-namespace-walk-service-port-change.json'),
  );
  assert.deepEqual(result.rootCause, { kind: 'Service', namespace: 'tollbooth', name: 'rates-api' });
  assert.equal(result.faultType, 'service-port');
});
