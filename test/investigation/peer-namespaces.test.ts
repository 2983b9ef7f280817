import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ClusterSnapshot } from '../../src/investigation/evidence/snapshot.ts';
import { initWaitNamespaces } from '../../src/investigation/evidence/peer-namespaces.ts';

type Pod = ClusterSnapshot['pods'][number];

const pod = (initialized: boolean, initContainer: Record<string, unknown>): Pod =>
  ({
    metadata: { name: 'api-1', namespace: 'shop' },
    spec: {
      initContainers: [{ name: 'wait', image: 'busybox', ...initContainer }],
      containers: [{ name: 'api', image: 'api', env: [{ name: 'CACHE', value: 'cache.other.svc:6379' }] }],
    },
    status: {
      phase: initialized ? 'Running' : 'Pending',
      conditions: [{ type: 'Initialized', status: initialized ? 'True' : 'False' }],
    },
  }) as Pod;

describe('initWaitNamespaces', () => {
  it('names the namespaces the init containers of pods stuck initialising wait on (command, args, env)', () => {
    const command = pod(false, {
      command: ['sh', '-c', 'until nc -z db.data.svc.cluster.local 5432; do echo waiting for db; sleep 2; done'],
    });
    const env = pod(false, { args: ['--wait'], env: [{ name: 'QUEUE_HOST', value: 'queue.broker.svc' }] });
    assert.deepEqual(initWaitNamespaces([command], 'shop'), ['data']);
    assert.deepEqual(initWaitNamespaces([env], 'shop'), ['broker']);
  });

  it('names nothing for initialised pods, the own namespace or the main containers', () => {
    const done = pod(true, { command: ['sh', '-c', 'until nc -z db.data.svc 5432; do sleep 2; done'] });
    const own = pod(false, { command: ['sh', '-c', 'until nc -z db.shop.svc 5432; do sleep 2; done'] });
    assert.deepEqual(initWaitNamespaces([done], 'shop'), []);
    assert.deepEqual(initWaitNamespaces([own], 'shop'), []);
  });
});
