import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { errorsBeganAfter } from '../../src/investigation/evidence/logs.ts';
import { killedPeerMemoryQueries } from '../../src/investigation/evidence/memory-history.ts';
import { type ClusterSnapshot, emptySnapshot } from '../../src/investigation/evidence/snapshot.ts';

type Pod = ClusterSnapshot['pods'][number];
type ContainerStatus = NonNullable<NonNullable<Pod['status']>['containerStatuses']>[number];

const NOW = '2026-03-02T12:00:00Z';

function pod(namespace: string, name: string, status: Partial<ContainerStatus>): Pod {
  return {
    metadata: { name, namespace },
    spec: { containers: [{ name: 'main' }] },
    status: {
      phase: 'Running',
      containerStatuses: [{ name: 'main', ready: true, restartCount: 0, image: 'i', imageID: '', ...status }],
    },
  };
}

describe('errorsBeganAfter with whole lives', () => {
  const changed = Date.parse('2026-03-02T11:20:00Z');
  const snapshot = (startedAt: string, readFrom: string): ClusterSnapshot => ({
    ...emptySnapshot(NOW),
    pods: [pod('shop', 'reader-1', { state: { running: { startedAt } } })],
    logs: [
      {
        namespace: 'shop',
        pod: 'reader-1',
        container: 'main',
        previous: false,
        readFrom,
        lines: ['2026-03-02T11:25:00Z ERROR upstream answered 404'],
      },
    ],
  });

  it('a log read from the first line of a container started after the change holds all its errors', () => {
    const s = snapshot('2026-03-02T11:22:00Z', '2026-03-02T11:22:05Z');
    assert.equal(errorsBeganAfter(s, 'shop', ['reader-1'], changed), false, 'not without wholeLivesCount');
    assert.equal(errorsBeganAfter(s, 'shop', ['reader-1'], changed, true), true);
  });

  it('a container started before the change, or a log read from later than its start, proves nothing', () => {
    const before = snapshot('2026-03-02T10:00:00Z', '2026-03-02T11:22:05Z');
    assert.equal(errorsBeganAfter(before, 'shop', ['reader-1'], changed, true), false);
    const late = snapshot('2026-03-02T11:22:00Z', '2026-03-02T11:40:00Z');
    assert.equal(errorsBeganAfter(late, 'shop', ['reader-1'], changed, true), false);
  });
});

describe('killedPeerMemoryQueries', () => {
  const killed = (lived: [string, string]) =>
    pod('store', 'cache-0', {
      state: { running: { startedAt: lived[1] } },
      restartCount: 3,
      lastState: { terminated: { exitCode: 137, reason: 'OOMKilled', startedAt: lived[0], finishedAt: lived[1] } },
    });

  it('asks the memory of a container elsewhere OOM-killed after a long life, over that life and since', () => {
    const s = { ...emptySnapshot(NOW), pods: [killed(['2026-03-02T09:00:00Z', '2026-03-02T11:30:00Z'])] };
    const [query, ...more] = killedPeerMemoryQueries(s, 'web');
    assert.equal(more.length, 0);
    assert.equal(query?.pod, 'cache-0');
    assert.match(query?.query ?? '', /namespace="store",pod="cache-0",container="main"\}\[180m\]$/);
  });

  it('not for a short life, nor in the namespace already queried, nor when its memory was read', () => {
    const short = { ...emptySnapshot(NOW), pods: [killed(['2026-03-02T11:20:00Z', '2026-03-02T11:30:00Z'])] };
    assert.deepEqual(killedPeerMemoryQueries(short, 'web'), []);
    const long = { ...emptySnapshot(NOW), pods: [killed(['2026-03-02T09:00:00Z', '2026-03-02T11:30:00Z'])] };
    assert.deepEqual(killedPeerMemoryQueries(long, 'store'), []);
    const read: ClusterSnapshot = {
      ...long,
      metrics: [
        {
          signal: 'memory-working-set',
          query: 'container_memory_working_set_bytes',
          labels: { namespace: 'store', pod: 'cache-0', container: 'main' },
          values: [[1, 1]],
        },
      ] as ClusterSnapshot['metrics'],
    };
    assert.deepEqual(killedPeerMemoryQueries(read, 'web'), []);
  });
});
