import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildGraph, graphOf } from '../../src/investigation/evidence/graph.ts';
import { refKey } from '../../src/investigation/model.ts';
import { app, cluster, configMap, deploymentRef, logs, NS, podOf, service } from './support/cluster.ts';

const shop = () =>
  cluster((s) => {
    configMap(s, 'web-config', { 'upstreams.yaml': 'search: http://search.shop.svc.cluster.local:9200/' });
    app(s, 'search', { port: 9200 });
    app(s, 'cart', { port: 7070 });
    app(s, 'ledger', { port: 5000 });
    app(s, 'web', {
      env: [
        { name: 'CART_ADDR', value: 'cart:7070' },
        { name: 'TOKEN', valueFrom: { secretKeyRef: { name: 'web-token', key: 'token' } } },
      ],
      container: { envFrom: [{ configMapRef: { name: 'web-config' } }] },
      volumes: [{ name: 'p', projected: { sources: [{ secret: { name: 'web-tls' } }] } }],
    });
    logs(s, 'web', ['error: dial tcp 10.96.0.12:5000: connect: connection refused']);
    s.horizontalPodAutoscalers.push({
      metadata: { name: 'web', namespace: NS },
      spec: { scaleTargetRef: { kind: 'Deployment', name: 'web', apiVersion: 'apps/v1' }, maxReplicas: 3 },
    });
    s.jobs.push({
      metadata: {
        name: 'export-1',
        namespace: NS,
        ownerReferences: [{ apiVersion: 'batch/v1', kind: 'CronJob', name: 'export', uid: 'u', controller: true }],
      },
    });
    s.pods.push({
      metadata: {
        name: 'export-1-abcde',
        namespace: NS,
        ownerReferences: [{ apiVersion: 'batch/v1', kind: 'Job', name: 'export-1', uid: 'j', controller: true }],
      },
      spec: { containers: [] },
    });
  });

test('ownership resolves pods to their top controller', () => {
  const snapshot = shop();
  const graph = buildGraph(snapshot);
  assert.deepEqual(graph.workloadOf(podOf(snapshot, 'web')), deploymentRef('web'));
  assert.deepEqual(graph.workloadOf(podOf(snapshot, 'export-1')), { kind: 'CronJob', namespace: NS, name: 'export' });
});

test('Services select their pods and sit in front of their workloads', () => {
  const snapshot = shop();
  const graph = buildGraph(snapshot);
  const cart = graph.service(NS, 'cart');
  assert.ok(cart);
  assert.deepEqual(
    graph.podsSelectedBy(cart).map((p) => p.metadata?.name?.split('-')[0]),
    ['cart'],
  );
  assert.deepEqual(graph.workloadsBehind(cart), [deploymentRef('cart')]);
});

test('a Service whose selector matches none of the pods read sends to the pods its Endpoints list', () => {
  const snapshot = cluster((s) => {
    app(s, 'thumbs', { port: 8080, service: false });
    // The selector asks for a label the pods read do not carry; the endpoints controller, which saw them, listed them.
    service(s, 'thumbs', { selector: { app: 'thumbs', release: 'thumbs-2' }, port: 80, targetPort: 8000 });
    const pod = podOf(s, 'thumbs');
    s.endpoints.push({
      metadata: { name: 'thumbs', namespace: NS },
      subsets: [
        {
          addresses: [{ ip: '10.1.0.9', targetRef: { kind: 'Pod', namespace: NS, name: pod.metadata?.name ?? '' } }],
          ports: [{ port: 8000 }],
        },
      ],
    });
  });
  const graph = buildGraph(snapshot);
  const thumbs = graph.service(NS, 'thumbs');
  assert.ok(thumbs);
  assert.deepEqual(
    graph.podsSelectedBy(thumbs).map((p) => p.metadata?.name),
    [podOf(snapshot, 'thumbs').metadata?.name],
  );
  assert.deepEqual(graph.workloadsBehind(thumbs), [deploymentRef('thumbs')]);
});

test('references cover env, envFrom and projected volumes', () => {
  const graph = buildGraph(shop());
  const targets = graph.referencesOf(deploymentRef('web')).map((r) => refKey(r.target));
  for (const expected of ['Secret/shop/web-token', 'ConfigMap/shop/web-config', 'Secret/shop/web-tls'])
    assert.ok(targets.includes(expected), expected);
  assert.deepEqual(graph.workloadsReferencing({ kind: 'ConfigMap', namespace: NS, name: 'web-config' }), [
    deploymentRef('web'),
  ]);
});

test('dependencies come from env values, ConfigMap contents and ClusterIPs in logs, each with its evidence', () => {
  const graph = buildGraph(shop());
  const deps = graph.dependenciesOf(deploymentRef('web'));
  const by = Object.fromEntries(deps.map((d) => [d.to.name, d.evidence.map((e) => e.source)]));
  assert.deepEqual(Object.keys(by).sort(), ['cart', 'ledger', 'search']);
  assert.deepEqual(by.cart, ['spec']);
  assert.deepEqual(by.ledger, ['log']);
  assert.deepEqual(
    graph.callersOf({ kind: 'Service', namespace: NS, name: 'search' }).map((e) => e.from.name),
    ['web'],
  );
});

test('autoscalers and pods on nodes are edges too', () => {
  const graph = buildGraph(shop());
  assert.ok(graph.edges.some((e) => e.kind === 'scales' && e.to.name === 'web'));
  assert.ok(graph.edges.some((e) => e.kind === 'runs-on' && e.to.name === 'node-a'));
});

test('command-line arguments name dependencies too', () => {
  const snapshot = cluster((s) => {
    app(s, 'orders-db', { port: 27017 });
    app(s, 'orders', {
      container: { args: ['-Dspring.data.mongodb.uri=mongodb://orders-db:27017/data', '--port=80'] },
    });
  });
  const deps = buildGraph(snapshot).dependenciesOf(deploymentRef('orders'));
  assert.deepEqual(
    deps.map((d) => [d.to.name, d.evidence[0]?.text]),
    [['orders-db', 'argument -Dspring.data.mongodb.uri=mongodb://orders-db:27017/data']],
  );
});

test('graphOf builds once per state of the snapshot: again once a list grew or was replaced', () => {
  const snapshot = shop();
  const first = graphOf(snapshot);
  assert.equal(graphOf(snapshot), first);
  assert.equal(first.dependenciesOf(deploymentRef('cart')).length, 0);
  app(snapshot, 'cart-db', { port: 5432 });
  logs(snapshot, 'cart', ['error: dial tcp cart-db:5432: connect: connection refused']);
  const grown = graphOf(snapshot);
  assert.notEqual(grown, first);
  assert.deepEqual(
    grown.dependenciesOf(deploymentRef('cart')).map((edge) => edge.to.name),
    ['cart-db'],
  );
  assert.equal(graphOf(snapshot), grown);
  snapshot.apiGroups = [];
  assert.notEqual(graphOf(snapshot), grown);
});
