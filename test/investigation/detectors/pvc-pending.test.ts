import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pvcPending } from '../../../src/investigation/detectors/pvc-pending.ts';
import type { ClusterSnapshot } from '../../../src/investigation/evidence/snapshot.ts';
import { app, cluster, event, NS } from '../support/cluster.ts';
import { detect, named } from '../support/detect.ts';

const claim = (s: ClusterSnapshot, phase: string) =>
  s.persistentVolumeClaims.push({
    metadata: { name: 'data', namespace: NS, creationTimestamp: '2026-11-20T10:18:00Z' },
    spec: { storageClassName: 'fast-typo' },
    status: { phase },
  });
const volumes = [{ name: 'data', persistentVolumeClaim: { claimName: 'data' } }];

test('a Pending claim with ProvisioningFailed names the claim, affecting the workload that mounts it', () => {
  const snapshot = cluster((s) => {
    claim(s, 'Pending');
    app(s, 'store', { volumes, podPhase: 'Pending', ready: false });
    event(
      s,
      { kind: 'PersistentVolumeClaim', name: 'data' },
      'ProvisioningFailed',
      'storageclass.storage.k8s.io "fast-typo" not found',
    );
  });
  const findings = detect(pvcPending, snapshot);
  assert.deepEqual(named(findings), ['PersistentVolumeClaim/shop/data pvc-pending']);
  assert.deepEqual(findings[0]?.affects, [{ kind: 'Deployment', namespace: 'shop', name: 'store' }]);
});

test('a Bound claim is no finding', () => {
  const snapshot = cluster((s) => {
    claim(s, 'Bound');
    app(s, 'store', { volumes });
  });
  assert.deepEqual(detect(pvcPending, snapshot), []);
});
