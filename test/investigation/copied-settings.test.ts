import assert from 'node:assert/strict';
import { test } from 'node:test';
import { copiedFrom, copySourceKinds } from '../../src/investigation/evidence/copied-settings.ts';
import { symptomOnset } from '../../src/investigation/evidence/onset.ts';
import type { ClusterSnapshot } from '../../src/investigation/evidence/snapshot.ts';
import type { Finding } from '../../src/investigation/model.ts';
import { atOperatorResource } from '../../src/investigation/ranking/operator-owner.ts';
import { cluster, NOW, NS, OLD } from './support/cluster.ts';

const edited = (time: string) => [
  { manager: 'helm', operation: 'Update' as const, time: OLD },
  { manager: 'kubectl-edit', operation: 'Update' as const, time },
];

/**
 * A made-up stream relay operator that writes its StatefulSet without ownerReferences, named after its resource's kind
 * (`relay-0-primary`, `app: relay`), copying `spec.upstream` into `UPSTREAM_ADDR`.
 */
function relay(s: ClusterSnapshot, o: { resourceEdited?: string; workloadEdited?: string; read?: boolean } = {}): void {
  s.apiGroups.push({
    group: 'streamhub.example.org',
    version: 'v1',
    resources: [
      { kind: 'Relay', plural: 'relays', namespaced: true, version: 'v1' },
      { kind: 'HubCore', plural: 'hubcores', namespaced: true, version: 'v1' },
    ],
  });
  const value = 'hub-core.streams.svc.cluster.local:7001';
  s.statefulSets.push({
    metadata: {
      name: 'relay-0-primary',
      namespace: NS,
      creationTimestamp: OLD,
      labels: { app: 'relay', 'app.kubernetes.io/managed-by': 'Helm' },
      managedFields: edited(o.workloadEdited ?? '2026-11-20T10:06:00Z'),
    },
    spec: {
      serviceName: 'relay',
      selector: { matchLabels: { app: 'relay' } },
      template: {
        metadata: { labels: { app: 'relay' } },
        spec: {
          containers: [
            {
              name: 'relay',
              image: 'registry.example.net/streamhub/streamhub-relay:2.4',
              env: [
                { name: 'UPSTREAM_ADDR', value: value },
                { name: 'RELAY_MEM', value: '-Xmx2g -Xms2g' },
              ],
            },
          ],
        },
      },
    },
  });
  if (o.read !== false)
    s.customObjects.push({
      apiVersion: 'streamhub.example.org/v1',
      kind: 'Relay',
      metadata: {
        name: 'relay',
        namespace: NS,
        creationTimestamp: OLD,
        managedFields: edited(o.resourceEdited ?? '2026-11-20T10:05:00Z'),
      },
      spec: { upstream: value, env: [{ name: 'RELAY_MEM', value: '-Xmx2g -Xms2g' }] },
    });
}

const badEnv = (): Finding => ({
  detector: 'bad-env',
  faultType: 'bad-env',
  entity: { kind: 'StatefulSet', namespace: NS, name: 'relay-0-primary' },
  affects: [],
  strength: 0.5,
  summary:
    'StatefulSet relay-0-primary: env UPSTREAM_ADDR=hub-core.streams.svc.cluster.local:7001 — Service hub-core exposes port 7000, not 7001',
  evidence: [],
});

test('the kind an unowned workload changed shortly before is named by, of its image software, is read where it runs', () => {
  const snapshot = cluster((s) => relay(s, { read: false }));
  const kinds = copySourceKinds(snapshot, symptomOnset(snapshot, '2026-11-20T10:10:00Z'));
  assert.deepEqual(
    kinds.map((k) => `${k.namespace}/${k.group}/${k.kind}`),
    [`${NS}/streamhub.example.org/Relay`],
  );
});

test('a workload whose image comes from other software does not lead to the kind it is named by', () => {
  const snapshot = cluster((s) => {
    relay(s, { read: false });
    const container = s.statefulSets[0]?.spec?.template?.spec?.containers[0];
    if (container) container.image = 'docker.io/library/nginx:1.27';
  });
  assert.deepEqual(copySourceKinds(snapshot, symptomOnset(snapshot, '2026-11-20T10:10:00Z')), []);
});

test('a bad-env whose value the resource holds word for word, changed just before, is answered at the resource', () => {
  const snapshot = cluster((s) => relay(s));
  const restated = atOperatorResource(badEnv(), snapshot);
  assert.deepEqual(restated.entity, { kind: 'Relay', namespace: NS, name: 'relay' });
  assert.equal(restated.faultType, 'other');
  assert.ok(restated.affects.some((a) => a.kind === 'StatefulSet' && a.name === 'relay-0-primary'));
  assert.ok(restated.evidence.some((e) => e.text.includes('spec.upstream')));
});

test('a nested list entry counts as a setting too (another shape: a Deployment and an addresses list)', () => {
  const snapshot = cluster((s) => {
    s.deployments.push({
      metadata: {
        name: 'shard-writer',
        namespace: NS,
        creationTimestamp: OLD,
        managedFields: edited('2026-11-20T10:03:00Z'),
      },
      spec: {
        selector: { matchLabels: { app: 'writer' } },
        template: {
          metadata: { labels: { app: 'writer' } },
          spec: { containers: [{ name: 'w', image: 'w:1', env: [{ name: 'PEERS', value: 'seed-a.index:9300' }] }] },
        },
      },
    });
    s.customObjects.push({
      apiVersion: 'index.example.io/v1',
      kind: 'Writer',
      metadata: { name: 'shard', namespace: NS, creationTimestamp: OLD, managedFields: edited('2026-11-20T10:01:00Z') },
      spec: { discovery: { seeds: [{ address: 'seed-a.index:9300' }] } },
    });
  });
  const found = copiedFrom(snapshot, { kind: 'Deployment', namespace: NS, name: 'shard-writer' }, [
    'seed-a.index:9300',
  ]);
  assert.equal(found?.object.kind, 'Writer');
  assert.equal(found?.path, 'spec.discovery.seeds[0].address');
});

test('not the resource: changed after the workload, unchanged since made, or holding the value only in its env list', () => {
  const later = cluster((s) => relay(s, { resourceEdited: '2026-11-20T10:08:00Z' }));
  assert.equal(atOperatorResource(badEnv(), later).entity.kind, 'StatefulSet');
  const never = cluster((s) => relay(s, { resourceEdited: OLD }));
  assert.equal(atOperatorResource(badEnv(), never).entity.kind, 'StatefulSet');
  const envOnly = cluster((s) => relay(s));
  assert.equal(
    copiedFrom(envOnly, { kind: 'StatefulSet', namespace: NS, name: 'relay-0-primary' }, ['-Xmx2g -Xms2g']),
    undefined,
  );
  assert.ok(NOW > '2026-11-20T10:08:00Z');
});
