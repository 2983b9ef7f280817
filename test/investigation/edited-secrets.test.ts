import assert from 'node:assert/strict';
import { test } from 'node:test';
import { editedSecretsToRead } from '../../src/investigation/evidence/edited-secrets.ts';
import { symptomOnset } from '../../src/investigation/evidence/onset.ts';
import { type ClusterSnapshot, emptySnapshot } from '../../src/investigation/evidence/snapshot.ts';
import { type SecretChange, secretChanges } from '../../src/investigation/tools/secret-changes.ts';
import { MemoryAuditLog } from '../../src/audit/audit-log.ts';
import { parseScenario } from '../../src/simulation/scenario.ts';
import { startSimulation } from '../../src/simulation/simulation.ts';

const NOW = '2026-03-04T10:30:00Z';
const ONSET = '2026-03-04T10:00:00Z';

const change = (name: string, created: string, ...writes: [string, string][]): SecretChange => ({
  metadata: {
    name,
    namespace: 'kiln',
    uid: name,
    creationTimestamp: created,
    managedFields: writes.map(([manager, time]) => ({ manager, operation: 'Update', time })),
  },
});

function reader(name: string, secret: string): ClusterSnapshot['pods'][number] {
  return {
    metadata: { name, namespace: 'kiln' },
    spec: {
      containers: [
        {
          name: 'app',
          image: 'app',
          env: [{ name: 'TOKEN', valueFrom: { secretKeyRef: { name: secret, key: 't' } } }],
        },
      ],
    },
    status: { phase: 'Running' },
  };
}

test('Secrets written after their creation shortly before the onset, read by a running pod and not read yet, newest first', () => {
  const snapshot = emptySnapshot(NOW);
  snapshot.pods.push(
    reader('glaze-a', 'glaze-token'),
    reader('fire-a', 'fire-token'),
    reader('clay-a', 'clay-token'),
    reader('ash-a', 'ash-token'),
    reader('slip-a', 'slip-token'),
  );
  // Read by name already: its readers are judged on what was read.
  snapshot.secrets.push({ keys: ['t'], metadata: { name: 'slip-token', namespace: 'kiln' } });
  const changes = [
    change(
      'glaze-token',
      '2025-12-01T00:00:00Z',
      ['kubectl-create', '2025-12-01T00:00:00Z'],
      ['kubectl-edit', '2026-03-04T09:20:00Z'],
    ),
    change(
      'fire-token',
      '2025-12-01T00:00:00Z',
      ['kubectl-create', '2025-12-01T00:00:00Z'],
      ['external-secrets', '2026-03-04T09:50:00Z'],
    ),
    // Only created: nothing was rotated under a running reader.
    change('clay-token', '2026-03-04T09:55:00Z', ['kubectl-create', '2026-03-04T09:55:00Z']),
    // Edited long before the onset: no part of this incident.
    change('ash-token', '2025-12-01T00:00:00Z', ['kubectl-edit', '2026-02-01T00:00:00Z']),
    // Edited shortly before, but no pod reads it.
    change('spare-token', '2025-12-01T00:00:00Z', ['kubectl-edit', '2026-03-04T09:58:00Z']),
    change('slip-token', '2025-12-01T00:00:00Z', ['kubectl-edit', '2026-03-04T09:59:00Z']),
  ];
  const onset = symptomOnset(snapshot, ONSET);
  assert.deepEqual(editedSecretsToRead(changes, snapshot, 'kiln', onset, 3), ['fire-token', 'glaze-token']);
  assert.deepEqual(editedSecretsToRead(changes, snapshot, 'kiln', onset, 1), ['fire-token']);
  assert.deepEqual(editedSecretsToRead(changes, snapshot, 'other', onset, 3), []);
});

test('the Secrets’ changes are read as metadata alone: no value, no annotation (a last-applied one repeats the data)', async () => {
  const scenario = parseScenario(
    {
      apiVersion: 'scenario/v1',
      id: 'kiln-secret-changes',
      title: 'Secrets of one namespace',
      now: NOW,
      alert: { source: 'slack', title: 'kiln' },
      cluster: {
        objects: [
          {
            apiVersion: 'v1',
            kind: 'Secret',
            metadata: {
              name: 'glaze-token',
              namespace: 'kiln',
              uid: 'glaze',
              creationTimestamp: '2025-12-01T00:00:00Z',
              annotations: {
                'kubectl.kubernetes.io/last-applied-configuration': '{"data":{"t":"Y2xlYXJ0ZXh0LXZhbHVl"}}',
              },
              managedFields: [
                {
                  manager: 'kubectl-client-side-apply',
                  operation: 'Update',
                  time: '2026-03-04T09:20:00Z',
                  fieldsType: 'FieldsV1',
                  fieldsV1: { 'f:data': { 'f:t': {} } },
                },
              ],
            },
            data: { t: 'Y2xlYXJ0ZXh0LXZhbHVl' },
          },
        ],
      },
      groundTruth: { rootCause: [{ kind: 'Secret', namespace: 'kiln', name: 'glaze-token' }], faultType: 'other' },
    },
    'kiln.json',
  );
  const simulation = await startSimulation(scenario);
  try {
    const { items } = await secretChanges.run(
      { namespace: 'kiln' },
      { kubeConfig: simulation.kubeConfig, audit: new MemoryAuditLog(), reason: 'test' },
    );
    assert.deepEqual(items, [
      {
        metadata: {
          name: 'glaze-token',
          namespace: 'kiln',
          uid: 'glaze',
          creationTimestamp: '2025-12-01T00:00:00.000Z',
          managedFields: [
            { manager: 'kubectl-client-side-apply', operation: 'Update', time: '2026-03-04T09:20:00.000Z' },
          ],
        },
      },
    ]);
  } finally {
    await simulation.close();
  }
});
