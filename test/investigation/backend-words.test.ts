import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it, test } from 'node:test';
import { AlertSchema } from '../../src/alert/alert.ts';
import { serviceInId, wordRuns } from '../../src/investigation/evidence/backend-words.ts';
import { wordsOf } from '../../src/investigation/evidence/word-stem.ts';
import { decodeBackend, routerBackendIds } from '../../src/investigation/evidence/router-backend.ts';
import { replayScenarioFile } from './support/replay.ts';

describe('wordsOf and wordRuns', () => {
  it('split an id on any separator and find a name as a run of its words', () => {
    assert.deepEqual(wordsOf('cluster_seed_catalog_nursery_9000'), ['cluster', 'seed', 'catalog', 'nursery', '9000']);
    assert.deepEqual(wordRuns(wordsOf('outbound|9000||seed-catalog.nursery.svc'), 'seed-catalog'), [2]);
    assert.deepEqual(wordRuns(wordsOf('a_b_a_b'), 'a-b'), [0, 2]);
    assert.deepEqual(wordRuns(wordsOf('seed_catalogue'), 'seed-catalog'), []);
  });
});

describe('serviceInId', () => {
  const services = ['catalog', 'seed-catalog', 'nursery', 'web'];
  it('names the Service of most words whose words occur in a row, whatever the separators', () => {
    // Emissary: every '-' of the Service turned to '_', the Service before its namespace.
    assert.equal(serviceInId('cluster_seed_catalog_nursery_9000_nursery', 'nursery', services), 'seed-catalog');
    assert.equal(serviceInId('k8s:nursery:catalog:9000', 'nursery', services), 'catalog');
  });
  it('takes a Service named like its namespace only when the id says that name twice', () => {
    assert.equal(serviceInId('k8s:nursery:9000', 'nursery', services), undefined);
    assert.equal(serviceInId('cluster_nursery_nursery_9000', 'nursery', services), 'nursery');
  });
});

describe('routerBackendIds by label name', () => {
  it('keeps labels whose name says they are a route or a backend, whatever their value', () => {
    const alert = AlertSchema.parse({
      source: 'alertmanager',
      title: 'x',
      labels: {
        namespace: 'gw',
        route: 'nursery',
        envoy_cluster_name: 'cluster_seed_catalog_nursery_9000',
        upstream: 'k8s:nursery:web:80',
        reason: 'no_upstream',
        path: '/v1/seeds',
      },
    });
    assert.deepEqual(routerBackendIds(alert).sort(), [
      'cluster_seed_catalog_nursery_9000',
      'k8s:nursery:web:80',
      'nursery',
    ]);
  });
});

describe('decodeBackend in any spelling', () => {
  const namespaces = ['gw', 'nursery', 'nursery-shop', 'kube-system'];
  it('takes a route named after a namespace as that namespace', () => {
    assert.deepEqual(decodeBackend('nursery', namespaces), { namespace: 'nursery', rest: '' });
  });
  it('finds the namespace of most words among the id words when no known form reads it', () => {
    assert.deepEqual(decodeBackend('k8s:nursery-shop:seed-catalog:9000', namespaces), {
      namespace: 'nursery-shop',
      rest: '',
    });
    assert.equal(decodeBackend('k8s:orchard:seed-catalog:9000', namespaces), undefined);
  });
});

// The proxy's namespace is where the failures were measured; its upstream label spells the backend with colons. The
// namespace of most words (bramble-shop, not bramble) and the Service of most words (seed-catalog, not catalog) are
// where the fault is.
test("a router's backend id in any spelling leads to the backend's namespace and Service", async () => {
  const { result } = await replayScenarioFile(
    join(import.meta.dirname, '../fixtures/scenarios/bramble-upstream-id-any-separator.json'),
  );
  assert.deepEqual(result.rootCause, { kind: 'Deployment', namespace: 'bramble-shop', name: 'seed-catalog' });
  assert.equal(result.faultType, 'missing-configmap');
  assert.ok(result.assumptions.some((line) => line.includes('Service seed-catalog')));
});
