import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { newestRevisionFirst } from '../../src/investigation/evidence/log-targets.ts';
import { revisionOf, revisions } from '../../src/investigation/evidence/revisions.ts';
import { type ClusterSnapshot, emptySnapshot } from '../../src/investigation/evidence/snapshot.ts';
import { workloadsOf } from '../../src/investigation/evidence/workloads.ts';
import { replayScenarioFile } from './support/replay.ts';

type ReplicaSet = ClusterSnapshot['replicaSets'][number];
type Pod = ClusterSnapshot['pods'][number];

const owner = (kind: string, name: string) => ({
  apiVersion: 'x.example.org/v1',
  kind,
  name,
  uid: name,
  controller: true,
});

function replicaSet(
  name: string,
  created: string,
  annotations: Record<string, string>,
  ownedBy = owner('Wave', 'api'),
) {
  return {
    metadata: { name, namespace: 'ns', creationTimestamp: created, annotations, ownerReferences: [ownedBy] },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: 'api' } },
      template: { metadata: { labels: { app: 'api' } }, spec: { containers: [{ name: 'api', image: name }] } },
    },
    status: { replicas: 1, readyReplicas: 1 },
  } as ReplicaSet;
}

describe('controllers of ReplicaSets other than Deployments', () => {
  it("reads a revision from the Deployment's annotation or from the one the controller stamps under its own group", () => {
    assert.equal(revisionOf(replicaSet('a', '2026-01-01T00:00:00Z', { 'deployment.kubernetes.io/revision': '4' })), 4);
    assert.equal(revisionOf(replicaSet('a', '2026-01-01T00:00:00Z', { 'waves.example.org/revision': '17' })), 17);
    assert.equal(revisionOf(replicaSet('a', '2026-01-01T00:00:00Z', { 'waves.example.org/revisionHistory': '3' })), 0);
  });

  it('lists the revisions of any controller kind by its ReplicaSets, newest first, by revision then creation time', () => {
    const snapshot = emptySnapshot('2026-01-02T00:00:00Z');
    snapshot.replicaSets = [
      replicaSet('api-1', '2026-01-01T00:00:00Z', { 'waves.example.org/revision': '1' }),
      replicaSet('api-3', '2026-01-01T02:00:00Z', { 'waves.example.org/revision': '3' }),
      replicaSet('api-2', '2026-01-01T01:00:00Z', { 'waves.example.org/revision': '2' }),
      replicaSet('other-1', '2026-01-01T03:00:00Z', { 'waves.example.org/revision': '9' }, owner('Wave', 'other')),
    ];
    const names = (list: ReplicaSet[]) => list.map((rs) => rs.metadata?.name);
    assert.deepEqual(names(revisions(snapshot, { kind: 'Wave', namespace: 'ns', name: 'api' })), [
      'api-3',
      'api-2',
      'api-1',
    ]);
    // A kind of the same name elsewhere, or another kind, owns none of them.
    assert.deepEqual(revisions(snapshot, { kind: 'Wave', namespace: 'elsewhere', name: 'api' }), []);
    assert.deepEqual(revisions(snapshot, { kind: 'Batch', namespace: 'ns', name: 'api' }), []);
    snapshot.replicaSets = [
      replicaSet('api-old', '2026-01-01T00:00:00Z', {}),
      replicaSet('api-new', '2026-01-01T05:00:00Z', {}),
    ];
    assert.deepEqual(names(revisions(snapshot, { kind: 'Wave', namespace: 'ns', name: 'api' })), [
      'api-new',
      'api-old',
    ]);
  });

  it("is a workload whose template is its newest revision's and whose replicas are all its ReplicaSets'", () => {
    const snapshot = emptySnapshot('2026-01-02T00:00:00Z');
    snapshot.replicaSets = [
      replicaSet('api-1', '2026-01-01T00:00:00Z', { 'waves.example.org/revision': '1' }),
      replicaSet('api-2', '2026-01-01T01:00:00Z', { 'waves.example.org/revision': '2' }),
    ];
    const [wave] = workloadsOf(snapshot);
    assert.deepEqual(wave?.ref, { kind: 'Wave', namespace: 'ns', name: 'api' });
    assert.equal(wave?.template?.spec?.containers[0]?.image, 'api-2');
    assert.equal(wave?.desiredReplicas, 2);
    assert.equal(wave?.readyReplicas, 2);
  });

  it("reads the log of a pod of the newest revision when a workload's pods belong to several", () => {
    const pod = (name: string, rs: string): Pod => ({
      metadata: { name, namespace: 'ns', ownerReferences: [{ ...owner('ReplicaSet', rs), apiVersion: 'apps/v1' }] },
    });
    const replicaSets = [
      replicaSet('api-1', '2026-01-01T00:00:00Z', {}),
      replicaSet('api-2', '2026-01-01T05:00:00Z', {}),
    ];
    const pods = [pod('stable-a', 'api-1'), pod('stable-b', 'api-1'), pod('canary', 'api-2')];
    assert.deepEqual(
      newestRevisionFirst(pods, replicaSets).map((p) => p.metadata?.name),
      ['canary', 'stable-a', 'stable-b'],
    );
  });
});

// Fixture: a made-up progressive-delivery kind (Canary, delivery.acme.io) owns the ReplicaSets, no Deployment exists;
// its canary revision's pods are ready and serve a share of the traffic, and only they log errors.
it('a revision of a ReplicaSet-owning custom kind rolled out before the symptom is its bad-rollout', async () => {
  const { result } = await replayScenarioFile(
    join(import.meta.dirname, '../fixtures/scenarios/marigold-canary-controller-revision.json'),
  );
  assert.deepEqual(result.rootCause, { kind: 'Canary', namespace: 'marigold', name: 'pricing' });
  assert.equal(result.faultType, 'bad-rollout');
});
