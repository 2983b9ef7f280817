import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { configuredObject } from '../../src/investigation/detectors/configured-object.ts';
import type { CustomObject } from '../../src/investigation/evidence/custom-object.ts';
import { loggedObjectLists } from '../../src/investigation/evidence/logged-objects.ts';
import type { ClusterSnapshot } from '../../src/investigation/evidence/snapshot.ts';
import { app, cluster, logs } from './support/cluster.ts';
import { detect, named } from './support/detect.ts';

// Made-up cluster: a consumer `ledger` in `shop` warns about the broker queue it reads (`queue=orders-in`); the queue
// is an operator's resource (BrokerQueue) kept in the broker's own namespace, `msg`.

const served = [
  {
    group: 'broker.example.io',
    version: 'v1',
    resources: [
      { kind: 'BrokerQueue', plural: 'brokerqueues', namespaced: true, version: 'v1' },
      { kind: 'MeshService', plural: 'meshservices', namespaced: true, version: 'v1' },
    ],
  },
];

const queue = (changedAt: string): CustomObject => ({
  apiVersion: 'broker.example.io/v1',
  kind: 'BrokerQueue',
  metadata: {
    name: 'orders-in',
    namespace: 'msg',
    creationTimestamp: '2026-10-01T08:00:00Z',
    managedFields: [{ manager: 'kubectl-edit', operation: 'Update', time: changedAt }],
  },
  spec: { maxAgeSeconds: 600 },
});

function consumerWarning(changedAt: string, line: string): ClusterSnapshot {
  return cluster((s) => {
    s.apiGroups.push(...served);
    app(s, 'ledger');
    logs(s, 'ledger', [`2026-11-20T10:22:00Z level=warn msg="offset out of range, resetting" ${line}`]);
    s.customObjects.push(queue(changedAt));
  });
}

describe('an object a workload names in its own warnings, in a field called after the last word of a served kind', () => {
  it("lists that kind in every namespace: the software's operator keeps it where the software runs", () => {
    const wanted = loggedObjectLists(consumerWarning('2026-11-20T09:30:00Z', 'queue=orders-in partition=3'));
    assert.deepEqual(
      wanted.map((w) => [w.resource.kind, w.namespace]),
      [['BrokerQueue', undefined]],
    );
  });

  it('lists nothing for a field that speaks of a kind Kubernetes serves itself (`service=`)', () => {
    assert.deepEqual(loggedObjectLists(consumerWarning('2026-11-20T09:30:00Z', 'service=payments-api')), []);
  });

  it('blames the object changed shortly before: its users fail at it', () => {
    const findings = detect(configuredObject, consumerWarning('2026-11-20T09:30:00Z', 'queue=orders-in'));
    assert.deepEqual(named(findings), ['BrokerQueue/msg/orders-in other']);
    assert.equal(findings[0]?.strength, 0.75);
  });

  it('does not blame it when it stood unchanged for long, nor one the warnings do not name', () => {
    assert.deepEqual(detect(configuredObject, consumerWarning('2026-11-10T09:30:00Z', 'queue=orders-in')), []);
    assert.deepEqual(detect(configuredObject, consumerWarning('2026-11-20T09:30:00Z', 'queue=orders-out')), []);
    // `service=` speaks of a Kubernetes Service, not of another software's …Service of that name.
    const snapshot = consumerWarning('2026-11-20T09:30:00Z', 'service=orders-in');
    snapshot.customObjects.push({ ...queue('2026-11-20T09:30:00Z'), kind: 'MeshService' });
    assert.deepEqual(detect(configuredObject, snapshot), []);
  });
});
