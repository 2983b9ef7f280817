import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CustomObject } from '../../src/investigation/evidence/custom-object.ts';
import { type ClusterSnapshot, emptySnapshot } from '../../src/investigation/evidence/snapshot.ts';
import {
  backendKindLists,
  backingObjects,
  stalledClaimClassLists,
} from '../../src/investigation/evidence/storage-backends.ts';

// Made-up cluster: a database pod in `ledger` runs but its probes time out; its claim's class is provisioned by an
// operator whose pools live in custom resources.
const NOW = '2026-05-01T10:00:00Z';

function cluster({ ready = false, probe = 'Readiness probe failed: context deadline exceeded' } = {}): ClusterSnapshot {
  const snapshot = emptySnapshot(NOW);
  snapshot.pods.push({
    metadata: { name: 'db-0', namespace: 'ledger' },
    spec: {
      containers: [{ name: 'db', image: 'db:1' }],
      volumes: [{ name: 'data', persistentVolumeClaim: { claimName: 'data-db-0' } }],
    },
    status: {
      phase: 'Running',
      conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }],
      containerStatuses: [{ name: 'db', ready, restartCount: 0, image: 'db:1', imageID: '', state: { running: {} } }],
    },
  } as ClusterSnapshot['pods'][number]);
  snapshot.persistentVolumeClaims.push({
    metadata: { name: 'data-db-0', namespace: 'ledger' },
    spec: { storageClassName: 'fast-block' },
    status: { phase: 'Bound' },
  } as ClusterSnapshot['persistentVolumeClaims'][number]);
  snapshot.events.push({
    metadata: { name: 'db-0.1', namespace: 'ledger' },
    type: 'Warning',
    reason: 'Unhealthy',
    message: probe,
    lastTimestamp: NOW,
    involvedObject: { kind: 'Pod', name: 'db-0', namespace: 'ledger' },
  } as ClusterSnapshot['events'][number]);
  snapshot.apiGroups.push(
    {
      group: 'storage.k8s.io',
      version: 'v1',
      resources: [{ kind: 'StorageClass', plural: 'storageclasses', namespaced: false, version: 'v1' }],
    },
    {
      group: 'blockstore.example.io',
      version: 'v2',
      resources: [
        { kind: 'BlockPool', plural: 'blockpools', namespaced: true, version: 'v2' },
        { kind: 'BlockCluster', plural: 'blockclusters', namespaced: true, version: 'v2' },
      ],
    },
    // Its kind ends in Pool too, but its group shares no word with the provisioner.
    {
      group: 'pagecache.test',
      version: 'v1',
      resources: [{ kind: 'PagePool', plural: 'pagepools', namespaced: true, version: 'v1' }],
    },
  );
  return snapshot;
}

const storageClass = {
  apiVersion: 'storage.k8s.io/v1',
  kind: 'StorageClass',
  metadata: { name: 'fast-block' },
  provisioner: 'blockstore.csi.example.io',
  parameters: { pool: 'replicated', fsType: 'ext4', 'csi.storage.k8s.io/fstype': 'ext4' },
} as CustomObject;

const pool = (name: string): CustomObject => ({
  apiVersion: 'blockstore.example.io/v2',
  kind: 'BlockPool',
  metadata: { name, namespace: 'blockstore-system' },
  spec: { quotas: { maxBytes: 1073741824 } },
});

test('a pod that runs but stops answering, its claim bound: its class is read first, cluster-wide', () => {
  const lists = stalledClaimClassLists(cluster(), 'ledger');
  assert.deepEqual(
    lists.map(({ resource, namespace, relevance }) => ({ resource, namespace, relevance })),
    [
      {
        resource: { group: 'storage.k8s.io', version: 'v1', plural: 'storageclasses', kind: 'StorageClass' },
        namespace: undefined,
        relevance: 3,
      },
    ],
  );
  assert.match(lists[0]?.why ?? '', /mount claim data-db-0/);
  // Read already, or no pod stalled (ready, or its probe failing otherwise than by a timeout): nothing to list.
  const read = cluster();
  read.customObjects.push(storageClass);
  assert.deepEqual(stalledClaimClassLists(read, 'ledger'), []);
  assert.deepEqual(stalledClaimClassLists(cluster({ ready: true }), 'ledger'), []);
  assert.deepEqual(stalledClaimClassLists(cluster({ probe: 'Readiness probe failed: HTTP 503' }), 'ledger'), []);
});

test("the class's parameter names its backend's kind, in a group spelled with the provisioner's words", () => {
  const snapshot = cluster();
  snapshot.customObjects.push(storageClass);
  assert.deepEqual(
    backendKindLists(snapshot, 'ledger').map(({ resource, namespace }) => ({ resource, namespace })),
    [
      {
        resource: { group: 'blockstore.example.io', kind: 'BlockPool', plural: 'blockpools', version: 'v2' },
        namespace: undefined,
      },
    ],
  );
  assert.match(backendKindLists(snapshot, 'ledger')[0]?.why ?? '', /BlockPool replicated \(parameters\.pool\)/);
  // Once the kind was read, it is not listed again.
  snapshot.customObjects.push(pool('scratch'));
  assert.deepEqual(backendKindLists(snapshot, 'ledger'), []);
});

test('the backend object a stalled pod’s volume lives in: the one the parameter names, with its pod, claim and class', () => {
  const snapshot = cluster();
  snapshot.customObjects.push(storageClass, pool('scratch'), pool('replicated'));
  const backing = backingObjects(snapshot, 'ledger');
  assert.deepEqual(
    backing.map(({ pod, claim, storageClass: cls, parameter, backend }) => [
      pod.metadata?.name,
      claim.metadata?.name,
      cls.metadata?.name,
      parameter,
      backend.metadata?.name,
    ]),
    [['db-0', 'data-db-0', 'fast-block', 'pool', 'replicated']],
  );
  assert.deepEqual(backingObjects(snapshot, 'elsewhere'), []);
});
