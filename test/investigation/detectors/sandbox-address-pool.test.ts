import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sandboxAddressPool } from '../../../src/investigation/detectors/sandbox-address-pool.ts';
import { sandboxPoolLists } from '../../../src/investigation/evidence/sandbox-pools.ts';
import type { ClusterSnapshot } from '../../../src/investigation/evidence/snapshot.ts';
import { app, cluster, event, OLD, podOf } from '../support/cluster.ts';
import { detect, named } from '../support/detect.ts';

// Made-up network plugin `meshnet`, serving its pools as `crd.meshnet.test` AddrPool objects (cluster-scoped).
const EDITED = '2026-11-20T10:05:00Z';
const pool = (name: string, created: string, edited: string, spec: Record<string, unknown>) => ({
  apiVersion: 'crd.meshnet.test/v1',
  kind: 'AddrPool',
  metadata: {
    name,
    creationTimestamp: created,
    managedFields: [{ manager: 'netctl', operation: 'Update', time: edited }],
  },
  spec,
});
const SANDBOX =
  'Failed to create pod sandbox: plugin type="meshnet" failed (add): failed to request IPv4 addresses: no configured meshnet pools for node worker-2';

function failing(s: ClusterSnapshot): void {
  app(s, 'labels', { ready: false, podPhase: 'Pending', changedAt: '2026-11-20T10:15:00Z' });
  event(s, { kind: 'Pod', name: podOf(s, 'labels').metadata?.name ?? '' }, 'FailedCreatePodSandBox', SANDBOX);
  s.apiGroups.push({
    group: 'crd.meshnet.test',
    version: 'v1',
    resources: [
      { kind: 'Felicity', plural: 'felicities', namespaced: false, version: 'v1' },
      { kind: 'AddrPool', plural: 'addrpools', namespaced: false, version: 'v1' },
    ],
  });
}

test("a sandbox refused for want of an address lists the plugin's pool kinds, cluster-wide", () => {
  const snapshot = cluster(failing);
  assert.deepEqual(
    sandboxPoolLists(snapshot).map((w) => [w.resource.kind, w.namespace]),
    [['AddrPool', undefined]],
  );
  const quiet = cluster((s) => app(s, 'labels'));
  assert.deepEqual(sandboxPoolLists(quiet), []);
});

test('the pool edited shortly before is the finding; one created in the same change, or edited long ago, is not', () => {
  const snapshot = cluster((s) => {
    failing(s);
    s.customObjects.push(
      pool('main-pool', OLD, EDITED, { cidr: '10.80.0.0/16', nodeSelector: "tier == 'edge'" }),
      pool('edge-pool', EDITED, EDITED, { cidr: '10.90.0.0/20', nodeSelector: "tier == 'edge'" }),
      pool('lab-pool', OLD, OLD, { cidr: '10.70.0.0/16' }),
    );
  });
  const findings = detect(sandboxAddressPool, snapshot);
  assert.deepEqual(named(findings), ['AddrPool/main-pool other']);
  assert.equal(findings[0]?.changedAt, EDITED);
  assert.ok(findings[0]?.affects.some((ref) => ref.kind === 'Deployment' && ref.name === 'labels'));
});

test('a sandbox failure that is not about addresses names no pool', () => {
  const snapshot = cluster((s) => {
    app(s, 'labels', { ready: false, podPhase: 'Pending' });
    event(
      s,
      { kind: 'Pod', name: podOf(s, 'labels').metadata?.name ?? '' },
      'FailedCreatePodSandBox',
      'Failed to create pod sandbox: no runtime handler "kata" configured',
    );
    s.customObjects.push(pool('main-pool', OLD, EDITED, { cidr: '10.80.0.0/16' }));
  });
  assert.deepEqual(detect(sandboxAddressPool, snapshot), []);
});
