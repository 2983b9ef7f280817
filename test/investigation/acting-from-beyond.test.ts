import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  competingIngresses,
  deliveriesTo,
  feedersOf,
  hubsOf,
} from '../../src/investigation/evidence/acting-from-beyond.ts';
import type { CustomObject } from '../../src/investigation/evidence/custom-object.ts';
import { emptySnapshot } from '../../src/investigation/evidence/snapshot.ts';

// Made-up cluster: a consumer `pick-sorter` in `depot`, subscribed through a Hook to a Lane that a DockSource feeds.
const custom = (apiVersion: string, kind: string, name: string, spec: unknown): CustomObject => ({
  apiVersion,
  kind,
  metadata: { name, namespace: 'depot' },
  spec,
});
const groups = [
  {
    group: 'lanes.cargobus.test',
    version: 'v1',
    resources: [
      { kind: 'Lane', plural: 'lanes', namespaced: true, version: 'v1' },
      { kind: 'Hook', plural: 'hooks', namespaced: true, version: 'v1' },
    ],
  },
];

test('what delivers to a Service, the hub it subscribes to by a key called after a served kind, and what feeds that hub', () => {
  const snapshot = emptySnapshot('2026-05-01T10:00:00Z');
  const hook = custom('lanes.cargobus.test/v1', 'Hook', 'sorter-hook', {
    lane: 'parcels',
    subscriber: { ref: { kind: 'Service', name: 'pick-sorter' } },
  });
  const source = custom('feeds.cargobus.test/v1', 'DockSource', 'dock-3', { sink: { kind: 'Lane', name: 'parcels' } });
  const elsewhere = custom('feeds.cargobus.test/v1', 'DockSource', 'dock-9', {
    sink: { kind: 'Lane', name: 'returns' },
  });
  snapshot.customObjects.push(hook, source, elsewhere);
  assert.deepEqual(deliveriesTo(snapshot, { name: 'pick-sorter', namespace: 'depot' }), [hook]);
  const hubs = hubsOf(hook, groups);
  assert.deepEqual(hubs, [{ kind: 'Lane', name: 'parcels', namespace: 'depot' }]);
  assert.deepEqual(feedersOf(snapshot, hubs[0] as (typeof hubs)[number]), [source]);
});

test('another Ingress claims the same host and a path under the route to the Service; other hosts and paths do not', () => {
  const snapshot = emptySnapshot('2026-05-01T10:00:00Z');
  const ingress = (namespace: string, name: string, host: string, path: string, service: string) => ({
    metadata: { namespace, name },
    spec: {
      rules: [{ host, http: { paths: [{ path, pathType: 'Prefix', backend: { service: { name: service } } }] } }],
    },
  });
  const own = ingress('depot', 'public', 'parcels.test', '/track', 'tracker');
  const claiming = ingress('ops', 'notice', 'parcels.test', '/track/v2', 'notice-page');
  const wider = ingress('ops', 'root', 'parcels.test', '/', 'landing');
  const otherHost = ingress('ops', 'admin', 'admin.parcels.test', '/track', 'admin');
  snapshot.ingresses.push(own, claiming, wider, otherHost);
  assert.deepEqual(competingIngresses(snapshot, own, 'tracker'), [claiming]);
  assert.deepEqual(competingIngresses(snapshot, own, 'somebody-else'), []);
});
