import assert from 'node:assert/strict';
import { test } from 'node:test';
import { troubleByNamespace } from '../../src/investigation/evidence/namespace-trouble.ts';
import { cluster, event } from './support/cluster.ts';

// Kubernetes records the events of objects that live in no namespace (a Node, a cluster-wide policy) in `default`:
// they are no sign that `default` runs anything in trouble, and must not draw an alert that names no namespace there.

test("a node's warning recorded in default is no sign of trouble in default", () => {
  const snapshot = cluster((s) => {
    event(s, { kind: 'Node', name: 'worker-3', namespace: 'default' }, 'FreeDiskSpaceFailed', 'failed to free 2Gi');
    event(s, { kind: 'Pod', name: 'api-x', namespace: 'tenant' }, 'Unhealthy', 'Readiness probe failed');
  });
  const signs = troubleByNamespace({ pods: [], events: snapshot.events, services: [], endpoints: [] });
  assert.equal(signs.get('default'), undefined);
  assert.equal(signs.get('tenant'), 1);
});

test('an event about a cluster-scoped custom object (no namespace on its subject) is no sign either', () => {
  const snapshot = cluster((s) => {
    event(s, { kind: 'Pod', name: 'web-x', namespace: 'default' }, 'BackOff', 'Back-off restarting failed container');
    s.events.push({
      metadata: { name: 'require-labels.1', namespace: 'default' },
      involvedObject: { kind: 'AdmissionRulePolicy', name: 'require-labels' },
      reason: 'PolicyViolation',
      message: 'rule failed',
      type: 'Warning',
      count: 1,
      firstTimestamp: '2026-11-20T10:25:00Z',
      lastTimestamp: '2026-11-20T10:25:00Z',
    });
  });
  const signs = troubleByNamespace({ pods: [], events: snapshot.events, services: [], endpoints: [] });
  // The pod in default is default's own trouble; the policy's event adds nothing to it.
  assert.equal(signs.get('default'), 1);
});

test('a warning over an hour before the onset (a probe that failed twice, its pod ready since) is no trouble going on', () => {
  const warning = (namespace: string, pod: string, first: string, last: string) => ({
    metadata: { name: `${pod}.1`, namespace },
    involvedObject: { kind: 'Pod', name: pod, namespace },
    reason: 'Unhealthy',
    message: 'Liveness probe failed: tunnel not connected',
    type: 'Warning',
    count: 2,
    firstTimestamp: first,
    lastTimestamp: last,
  });
  const onset = Date.parse('2026-11-20T10:25:00Z');
  const events = [
    warning('mesh-agents', 'tunnel-gw-q4m7z', '2026-11-20T07:30:00Z', '2026-11-20T07:31:00Z'),
    warning('tenant', 'api-x7k2p', '2026-11-20T10:20:00Z', '2026-11-20T10:28:00Z'),
  ];
  const listed = { pods: [], events, services: [], endpoints: [] };
  const signs = troubleByNamespace(listed, onset, true);
  assert.equal(signs.get('mesh-agents'), undefined);
  assert.equal(signs.get('tenant'), 1);
  // Still trouble the cluster showed around the onset: it breaks a tie between namespaces the alert's words name.
  assert.equal(troubleByNamespace(listed, onset).get('mesh-agents'), 1);
});
