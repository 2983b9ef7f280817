import assert from 'node:assert/strict';
import { test } from 'node:test';
import { creatorElsewhere, creatorsOf } from '../../src/investigation/evidence/creator-elsewhere.ts';
import type { ClusterSnapshot } from '../../src/investigation/evidence/snapshot.ts';

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
