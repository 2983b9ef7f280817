import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ClusterSnapshot } from '../../src/investigation/evidence/snapshot.ts';
import { initWaitNamespaces, peerServices } from '../../src/investigation/evidence/peer-namespaces.ts';

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

describe('peerServices', () => {
  it('names the Services called in each other namespace, the most named namespace first', () => {
    const caller = (env: string[]): Pod =>
      ({
        metadata: { name: 'intake-1', namespace: 'lab' },
        spec: { containers: [{ name: 'intake', image: 'i', env: env.map((value, i) => ({ name: `E${i}`, value })) }] },
      }) as Pod;
    const pods = [
      caller(['http://scope.devices.svc:8080/v1', 'amqp://bus.relay.svc.cluster.local:5672/x']),
      caller(['bus.relay:5672', 'store.relay.svc:9000', 'http://notes:8080']),
    ];
    assert.deepEqual(
      [...peerServices(pods, 'lab')].map(([namespace, services]) => [namespace, [...services]]),
      [
        ['relay', ['bus', 'store']],
        ['devices', ['scope']],
      ],
    );
  });
});
