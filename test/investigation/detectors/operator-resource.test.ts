import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { operatorResource } from '../../../src/investigation/detectors/operator-resource.ts';
import type { ClusterSnapshot } from '../../../src/investigation/evidence/snapshot.ts';
import { cluster, NS, OLD } from '../support/cluster.ts';
import { detect, named } from '../support/detect.ts';
import { replayScenarioFile } from '../support/replay.ts';

/** A pod controlled by a custom resource `Shard/s1`, itself controlled by `Database/ledger`. */
function operated(s: ClusterSnapshot, top: { created: string; edited?: string }, podCreated: string): void {
  s.customObjects.push(
    {
      apiVersion: 'db.example.io/v1',
      kind: 'Database',
      metadata: {
        name: 'ledger',
        namespace: NS,
        creationTimestamp: top.created,
        managedFields: top.edited ? [{ manager: 'kubectl-edit', operation: 'Update', time: top.edited }] : [],
      },
      spec: { durability: 'strict' },
    },
    {
      apiVersion: 'db.example.io/v1',
      kind: 'Shard',
      metadata: {
        name: 's1',
        namespace: NS,
        creationTimestamp: OLD,
        ownerReferences: [
          { apiVersion: 'db.example.io/v1', kind: 'Database', name: 'ledger', uid: 'd', controller: true },
        ],
      },
    },
  );
  s.pods.push({
    metadata: {
      name: 'ledger-tablet-1',
      namespace: NS,
      creationTimestamp: podCreated,
      ownerReferences: [{ apiVersion: 'db.example.io/v1', kind: 'Shard', name: 's1', uid: 's', controller: true }],
    },
    spec: { containers: [{ name: 'db', image: 'db:1' }] },
    status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] },
  });
}

test("an operator's resource edited shortly before, whose pods were replaced since, sets what they run", () => {
  const snapshot = cluster((s) =>
    operated(s, { created: OLD, edited: '2026-11-20T10:00:00Z' }, '2026-11-20T10:05:00Z'),
  );
  const findings = detect(operatorResource, snapshot);
  assert.deepEqual(named(findings), ['Database/shop/ledger other']);
  assert.ok(findings[0]?.affects.some((a) => a.kind === 'Shard' && a.name === 's1'));
});

test('pods that predate the edit, or a resource made shortly before (a run), are not its doing', () => {
  const before = cluster((s) => operated(s, { created: OLD, edited: '2026-11-20T10:00:00Z' }, '2026-11-20T09:50:00Z'));
  assert.deepEqual(detect(operatorResource, before), []);
  const made = cluster((s) => operated(s, { created: '2026-11-20T10:00:00Z' }, '2026-11-20T10:05:00Z'));
  assert.deepEqual(detect(operatorResource, made), []);
});

// Fixture: a made-up broker operator's BrokerCluster → generated StatefulSet → pods, rolled after a memory edit.
test('is the answer over the StatefulSet the operator generates from it', async () => {
  const { result } = await replayScenarioFile(
    join(import.meta.dirname, '../../fixtures/scenarios/pebblecart-broker-cluster-memory-rendered.json'),
  );
  assert.deepEqual(result.rootCause, { kind: 'BrokerCluster', namespace: 'queues', name: 'orders-broker' });
  assert.equal(result.faultType, 'other');
});
