import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { AlertSchema } from '../../src/alert/alert.ts';
import { MemoryAuditLog } from '../../src/audit/audit-log.ts';
import { investigate } from '../../src/investigation/engine.ts';
import { loadScenario } from '../../src/simulation/scenario.ts';
import { startSimulation } from '../../src/simulation/simulation.ts';
import { replayScenarioFile } from './support/replay.ts';
import type { ClusterSnapshot } from '../../src/investigation/evidence/snapshot.ts';
import {
  recentStoreWriters,
  servicesConfiguredIn,
  storesReadFrom,
} from '../../src/investigation/evidence/store-writers.ts';
import { emptySnapshot } from '../../src/investigation/evidence/snapshot.ts';

type Deployment = ClusterSnapshot['deployments'][number];

const ONSET = { at: Date.parse('2026-11-20T10:20:00Z'), known: true, now: Date.parse('2026-11-20T10:45:00Z') };

const deployment = (
  namespace: string,
  name: string,
  changedAt: string,
  container: { env?: Record<string, string>; args?: string[] },
): Deployment => ({
  metadata: {
    namespace,
    name,
    creationTimestamp: '2026-09-01T00:00:00Z',
    managedFields: [
      { manager: 'helm', operation: 'Update', time: changedAt },
      { manager: 'kube-controller-manager', operation: 'Update', time: '2026-11-20T10:30:00Z', subresource: 'status' },
    ],
  },
  spec: {
    selector: { matchLabels: { app: name } },
    template: {
      spec: {
        containers: [
          {
            name,
            args: container.args,
            env: Object.entries(container.env ?? {}).map(([key, value]) => ({ name: key, value })),
          },
        ],
      },
    },
  },
});

test('a store is a Service the quiet namespace is configured to read, by URL or a command line', () => {
  assert.deepEqual(
    [
      ...servicesConfiguredIn(
        deployment('a', 'x', '', { env: { DSN: 'postgres://u@pg.vault.svc:5432/db' } }).spec?.template?.spec,
        'a',
      ),
    ],
    ['vault/pg'],
  );
  assert.deepEqual(
    [
      ...servicesConfiguredIn(
        deployment('a', 'x', '', { args: ['--sink=tsdb.metrics.svc.cluster.local:9000'] }).spec?.template?.spec,
        'a',
      ),
    ],
    ['metrics/tsdb'],
  );
  const snapshot = emptySnapshot('2026-11-20T10:40:00Z');
  snapshot.services.push({ metadata: { namespace: 'vault', name: 'pg' } });
  snapshot.pods.push({
    metadata: { namespace: 'portal', name: 'web-1' },
    spec: {
      containers: [
        {
          name: 'web',
          env: [
            { name: 'DB', value: 'pg.vault.svc:5432' },
            { name: 'X', value: 'http://gone.nowhere.svc:80' },
          ],
        },
      ],
    },
  });
  // Only Services the cluster holds: a name nothing serves is no store.
  assert.deepEqual([...storesReadFrom(snapshot, 'portal')], ['vault/pg']);
});

test('the client of the store in a namespace not read, changed shortly before the onset, is its writer', () => {
  const stores = new Set(['vault/pg']);
  const writers = recentStoreWriters(
    [
      deployment('feeds', 'loader', '2026-11-20T09:55:00Z', {
        env: { PGHOST: 'pg.vault.svc', PGURL: 'postgres://pg.vault.svc:5432/x' },
      }),
      deployment('reports', 'exporter', '2026-11-20T08:00:00Z', { args: ['--db', 'pg.vault.svc.cluster.local:5432'] }),
      deployment('feeds', 'unrelated', '2026-11-20T10:00:00Z', { env: { URL: 'http://cache.feeds.svc:6379' } }),
    ],
    stores,
    ONSET,
    new Set(['portal', 'vault']),
  );
  assert.deepEqual(
    writers.map((w) => `${w.deployment.metadata?.namespace}/${w.deployment.metadata?.name}`),
    ['feeds/loader', 'reports/exporter'],
  );
});

test('a client changed days ago, later than the alert could lag the onset, or in a namespace already read is no writer to look at', () => {
  const stores = new Set(['vault/pg']);
  const client = (namespace: string, changedAt: string) =>
    deployment(namespace, 'loader', changedAt, { env: { PGURL: 'postgres://pg.vault.svc:5432/x' } });
  assert.deepEqual(
    recentStoreWriters(
      [
        client('feeds', '2026-11-17T09:00:00Z'),
        // 20 minutes after the alerted onset: later than the 15 minutes an alert may lag its fault.
        client('late', '2026-11-20T10:40:00Z'),
        client('portal', '2026-11-20T10:00:00Z'),
      ],
      stores,
      ONSET,
      new Set(['portal', 'vault']),
    ),
    [],
  );
});

test('a client whose spec stands but whose ConfigMap changed shortly before the onset is the writer', () => {
  const stores = new Set(['vault/pg']);
  const loader = deployment('feeds', 'loader', '2026-11-10T09:00:00Z', {
    env: { PGURL: 'postgres://pg.vault.svc:5432/x' },
  });
  const template = loader.spec?.template?.spec;
  if (template) template.volumes = [{ name: 'flags', configMap: { name: 'loader-flags' } }];
  const flags = (changedAt: string) => ({
    metadata: {
      namespace: 'feeds',
      name: 'loader-flags',
      managedFields: [{ manager: 'kubectl', operation: 'Update', time: changedAt }],
    },
    data: { write_to_v2: 'true' },
  });
  const writersWith = (configMaps: ClusterSnapshot['configMaps']) =>
    recentStoreWriters([loader], stores, ONSET, new Set(['portal', 'vault']), configMaps).map((w) => w.changed);
  assert.deepEqual(writersWith([flags('2026-11-20T10:05:00Z')]), ['2026-11-20T10:05:00Z']);
  // Changed days before, or not read by it: no writer.
  assert.deepEqual(writersWith([flags('2026-11-17T10:05:00Z')]), []);
  assert.deepEqual(
    writersWith([
      {
        ...flags('2026-11-20T10:05:00Z'),
        metadata: {
          ...flags('').metadata,
          name: 'other',
          managedFields: [{ manager: 'kubectl', operation: 'Update', time: '2026-11-20T10:05:00Z' }],
        },
      },
    ]),
    [],
  );
});

/** A scenario object as a test edits it: its metadata's times. */
type SceneObject = {
  kind?: string;
  metadata?: { name?: string; namespace?: string; creationTimestamp?: string; managedFields?: { time?: string }[] };
};

const FIXTURE = join(import.meta.dirname, '../fixtures/scenarios/larkfield-dashboard-stale-writer-tenant.yaml');

/** The scenario investigated as the API server serves it, after `change` edits its objects. */
async function investigateWith(change: (objects: SceneObject[]) => void) {
  const scenario = await loadScenario(FIXTURE);
  change(scenario.cluster.objects as SceneObject[]);
  const simulation = await startSimulation(scenario);
  try {
    return await investigate(AlertSchema.parse(scenario.alert), {
      kubeConfig: simulation.kubeConfig,
      audit: new MemoryAuditLog(),
      now: new Date(scenario.now),
    });
  } finally {
    await simulation.close();
  }
}

test('stale data read from a healthy store: the store’s other client, changed shortly before in a namespace not read, is named', async () => {
  const { result } = await replayScenarioFile(FIXTURE);
  assert.deepEqual(result.rootCause, { kind: 'Deployment', namespace: 'agents', name: 'scraper' });
  assert.equal(result.faultType, 'bad-env');
});

test('the same client changed days before the data went stale is not where the work stopped', async () => {
  const result = await investigateWith((objects) => {
    for (const object of objects) {
      if (object.metadata?.namespace !== 'agents') continue;
      for (const entry of object.metadata.managedFields ?? []) entry.time = '2026-11-16T10:20:00Z';
      if (object.kind === 'ReplicaSet' && object.metadata.name === 'scraper-8b7c6')
        object.metadata.creationTimestamp = '2026-11-16T10:20:00Z';
    }
  });
  assert.notDeepEqual(result.rootCause, { kind: 'Deployment', namespace: 'agents', name: 'scraper' });
});
