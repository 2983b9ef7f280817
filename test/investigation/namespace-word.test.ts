import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AlertSchema } from '../../src/alert/alert.ts';
import { namespaceWordYields } from '../../src/investigation/evidence/namespace-word.ts';
import { identifierLabelValues } from '../../src/investigation/focus.ts';

// Made-up cluster: namespaces named after products (nats, minio) beside the application's own.
const OBJECTS = [
  { namespace: 'nats', name: 'nats', appNames: ['nats'] },
  { namespace: 'minio', name: 'minio-operator', appNames: ['minio-operator'] },
  { namespace: 'atelier', name: 'render-farm-api', appNames: ['render-farm'] },
  { namespace: 'atelier', name: 'render-farm', appNames: ['render-farm'] },
  { namespace: 'gallery', name: 'thumb-cutter', appNames: ['thumb-cutter'] },
];
const quiet = () => 0;

test('a label naming an application elsewhere outweighs the namespace a word of the prose names', () => {
  const verdict = namespaceWordYields('renders stuck; nats lag growing', ['render-farm'], 'nats', OBJECTS, quiet);
  assert.equal(verdict?.namespace, 'atelier');
  // The labelled thing in the named namespace keeps it.
  assert.equal(namespaceWordYields('nats lag growing', ['nats'], 'nats', OBJECTS, quiet), undefined);
});

test('a dashed name stated in the text outweighs a namespace only guessed at in a question', () => {
  const text = 'thumb-cutter logs timeouts writing thumbnails since 10:00. Did someone rotate the minio keys?';
  assert.equal(namespaceWordYields(text, [], 'minio', OBJECTS, quiet)?.namespace, 'gallery');
  // The namespace stated as often as the name (the name only guessed at): the namespace stays.
  const guess = 'minio buckets unreachable since 10:00. is thumb-cutter down??';
  assert.equal(namespaceWordYields(guess, [], 'minio', OBJECTS, quiet), undefined);
});

test('a name only written in words, or nothing named, leaves the namespace the prose names', () => {
  assert.equal(namespaceWordYields('thumb cutter slow, minio latency high', [], 'minio', OBJECTS, quiet), undefined);
  assert.equal(namespaceWordYields('minio latency high', ['unknown-app'], 'minio', OBJECTS, quiet), undefined);
});

// Principle: a router's or exporter's label for the API or component a metric is about (any label, not only the
// naming ones) names an object exactly when one bears that name: it outweighs a word that names the router's namespace.
test("an identifier-shaped label of any name that an object bears locates it, over the router's namespace the text names", () => {
  const objects = [
    { namespace: 'edge', name: 'kong-proxy', appNames: [] },
    { namespace: 'orders', name: 'order-intake', appNames: [] },
    { namespace: 'ledger', name: 'ledger-sync-v2', appNames: ['ledger-sync'] },
  ];
  const alert = (labels: Record<string, string>) =>
    AlertSchema.parse({ source: 'alertmanager', title: 'edge 5xx on POST /orders', labels });
  const upstream = identifierLabelValues(alert({ upstream_api: 'order-intake', severity: 'critical', env: 'prod' }));
  assert.deepEqual(upstream, ['order-intake']);
  assert.equal(namespaceWordYields('edge 5xx on POST /orders', upstream, 'edge', objects, quiet)?.namespace, 'orders');
  // Another shape: a component label matched by the workload's application-name label.
  const component = identifierLabelValues(alert({ component: 'ledger-sync' }));
  assert.equal(namespaceWordYields('edge slow', component, 'edge', objects, quiet)?.namespace, 'ledger');
});

test('an identifier-shaped label no object bears, or a plain word, locates nothing', () => {
  const objects = [{ namespace: 'edge', name: 'kong-proxy', appNames: [] }];
  const labels = { channel: 'shop-support', env: 'prod', team: 'pay-core', node: 'pool-a-1', pod: 'kong-proxy-x' };
  const values = identifierLabelValues(AlertSchema.parse({ source: 'alertmanager', title: 'edge 5xx', labels }));
  assert.deepEqual(values, ['shop-support']);
  assert.equal(namespaceWordYields('edge 5xx', values, 'edge', objects, quiet), undefined);
});
