import assert from 'node:assert/strict';
import { test } from 'node:test';
import { erringServerClients } from '../../src/investigation/evidence/erring-clients.ts';
import { graphOf } from '../../src/investigation/evidence/graph.ts';
import { type ClusterSnapshot, emptySnapshot } from '../../src/investigation/evidence/snapshot.ts';

// Made-up cluster: clients in `shop` call a cache server in `store` by its Service's name; the server's own exporter
// counts errors now.
const NOW = '2026-05-01T10:00:00Z';
const SECONDS = Date.parse(NOW) / 1000;

type Pod = ClusterSnapshot['pods'][number];

const running = (name: string, ready = true) => ({
  conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }],
  containerStatuses: [{ name, ready, restartCount: 0, image: `${name}:1`, imageID: '', state: { running: {} } }],
  phase: 'Running',
});

/** A Deployment of the namespace with its ReplicaSet and `replicas` pods, whose container's env is `env`. */
function deployment(snapshot: ClusterSnapshot, namespace: string, name: string, replicas: number, env = {}) {
  const labels = { app: name };
  const container = {
    name,
    image: `${name}:1`,
    env: Object.entries(env).map(([key, value]) => ({ name: key, value })),
  };
  snapshot.deployments.push({
    metadata: { name, namespace, uid: `${name}-uid` },
    spec: {
      replicas,
      selector: { matchLabels: labels },
      template: { metadata: { labels }, spec: { containers: [container] } },
    },
  } as ClusterSnapshot['deployments'][number]);
  const rs = `${name}-6d4f`;
  snapshot.replicaSets.push({
    metadata: {
      name: rs,
      namespace,
      uid: `${rs}-uid`,
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name, uid: `${name}-uid`, controller: true }],
    },
    spec: {
      replicas,
      selector: { matchLabels: labels },
      template: { metadata: { labels }, spec: { containers: [container] } },
    },
  } as ClusterSnapshot['replicaSets'][number]);
  for (let i = 0; i < replicas; i++)
    snapshot.pods.push({
      metadata: {
        name: `${rs}-p${i}`,
        namespace,
        labels,
        ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: rs, uid: `${rs}-uid`, controller: true }],
      },
      spec: { containers: [container] },
      status: running(name),
    } as Pod);
}

function cluster(): ClusterSnapshot {
  const snapshot = emptySnapshot(NOW);
  deployment(snapshot, 'shop', 'orders', 2, { CACHE_URL: 'redis://cache.store.svc:6379' });
  deployment(snapshot, 'shop', 'billing', 1, { CACHE_HOST: 'cache.store' });
  deployment(snapshot, 'shop', 'web', 3, { LISTEN: ':8080' });
  deployment(snapshot, 'store', 'cache', 1);
  snapshot.services.push({
    metadata: { name: 'cache', namespace: 'store' },
    spec: { selector: { app: 'cache' }, ports: [{ port: 6379 }] },
  } as ClusterSnapshot['services'][number]);
  return snapshot;
}

const erring = (namespace: string, pod: string, value: number) => ({
  labels: { __name__: 'cache:rejected_commands:rate5m', namespace, pod },
  query: 'errors',
  signal: 'error-series',
  values: [[SECONDS, value]] as [number, number][],
});

const targets = (snapshot: ClusterSnapshot, max: number) =>
  erringServerClients(snapshot, graphOf(snapshot), 'shop', max).map(({ pod, container, why }) => ({
    pod,
    container,
    why,
  }));

test('the clients of a server whose own counters err now: one pod each, the busiest first, at most max', () => {
  const snapshot = cluster();
  snapshot.metrics.push(erring('store', 'cache-6d4f-p0', 3));
  const why = (client: string) => `${client} calls a server in store whose own counters show errors now`;
  assert.deepEqual(targets(snapshot, 2), [
    { pod: 'orders-6d4f-p0', container: 'orders', why: why('orders') },
    { pod: 'billing-6d4f-p0', container: 'billing', why: why('billing') },
  ]);
  assert.deepEqual(
    targets(snapshot, 1).map((target) => target.pod),
    ['orders-6d4f-p0'],
  );
});

test('a client whose log was read already is passed over; a not-ready pod of a client is read first', () => {
  const snapshot = cluster();
  snapshot.metrics.push(erring('store', 'cache-6d4f-p0', 3));
  snapshot.logs.push({ namespace: 'shop', pod: 'orders-6d4f-p1', container: 'orders', previous: false, lines: [] });
  assert.deepEqual(
    targets(snapshot, 2).map((target) => target.pod),
    ['billing-6d4f-p0'],
  );
  const again = cluster();
  again.metrics.push(erring('store', 'cache-6d4f-p0', 3));
  const second = again.pods.find((pod) => pod.metadata?.name === 'orders-6d4f-p1') as Pod;
  second.status = running('orders', false);
  assert.equal(targets(again, 1)[0]?.pod, 'orders-6d4f-p1');
});

test('no clients without a server erring now elsewhere: counters at zero, or in the alerted namespace itself', () => {
  const quiet = cluster();
  quiet.metrics.push(erring('store', 'cache-6d4f-p0', 0));
  assert.deepEqual(targets(quiet, 2), []);
  const own = cluster();
  own.metrics.push(erring('shop', 'web-6d4f-p0', 3));
  assert.deepEqual(targets(own, 2), []);
});
