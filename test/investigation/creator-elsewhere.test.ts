import assert from 'node:assert/strict';
import { test } from 'node:test';
import { creatorElsewhere, creatorsOf } from '../../src/investigation/evidence/creator-elsewhere.ts';
import { divergedFromPeers } from '../../src/investigation/evidence/peer-settings.ts';
import type { ClusterSnapshot } from '../../src/investigation/evidence/snapshot.ts';
import type { Workload } from '../../src/investigation/evidence/workloads.ts';

const job = (namespace: string, name: string, manager: string) =>
  ({
    metadata: {
      namespace,
      name,
      managedFields: [
        { manager, operation: 'Update' },
        { manager: 'kube-controller-manager', operation: 'Update', subresource: 'status' },
      ],
    },
  }) as ClusterSnapshot['jobs'][number];
const deployment = (namespace: string, name: string) =>
  ({ metadata: { namespace, name } }) as ClusterSnapshot['deployments'][number];

test('the client that wrote the Jobs of a namespace, running as a Deployment elsewhere, is where to look next', () => {
  const creators = creatorsOf({ jobs: [job('runs', 'r-1', 'dispatcher')], pods: [] }, 'runs');
  assert.deepEqual([...creators], ['dispatcher']);
  assert.deepEqual(creatorElsewhere(creators, [deployment('app', 'dispatcher'), deployment('app', 'web')], 'runs'), {
    namespace: 'app',
    creator: 'dispatcher',
  });
  // Two namespaces run a workload of that name: nothing says which.
  assert.equal(
    creatorElsewhere(creators, [deployment('a', 'dispatcher'), deployment('b', 'dispatcher')], 'runs'),
    undefined,
  );
});

const workload = (name: string, env: Record<string, string>): Workload => ({
  ref: { kind: 'Deployment', namespace: 'app', name },
  template: {
    spec: { containers: [{ name, env: Object.entries(env).map(([key, value]) => ({ name: key, value })) }] },
  },
});

test('a changed value that peers on the same store still hold at its old value has diverged from them', () => {
  const after = workload('producer', { STORE: 'cache.data.svc:6379', DB: '3' });
  const peers = [after, workload('consumer', { STORE: 'cache.data.svc:6379', DB: '0' })];
  const change = { name: 'DB', value: '3', before: '0' };
  const diverged = divergedFromPeers(after, after.template?.spec?.containers ?? [], [change], peers);
  assert.deepEqual(diverged, [{ change, peers: ['consumer'] }]);
  // A peer on another store says nothing.
  const elsewhere = [after, workload('consumer', { STORE: 'other.data.svc:6379', DB: '0' })];
  assert.deepEqual(divergedFromPeers(after, after.template?.spec?.containers ?? [], [change], elsewhere), []);
});
