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
