import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it, test } from 'node:test';
import { AlertSchema } from '../../src/alert/alert.ts';
import { MemoryAuditLog } from '../../src/audit/audit-log.ts';
import { investigate } from '../../src/investigation/engine.ts';
import { startKubeApiServer } from '../../src/simulation/kube-api/server.ts';
import { simulationKubeConfig } from '../../src/simulation/kubeconfig.ts';
import { loadScenario } from '../../src/simulation/scenario.ts';
import {
  changedConfigBeforeOnset,
  describeChangedConfig,
} from '../../src/investigation/evidence/changed-config-namespace.ts';
import { app, cluster, configMap, NS } from './support/cluster.ts';
import { replayScenarioFile } from './support/replay.ts';

const fixture = (name: string) => join(import.meta.dirname, '../fixtures/scenarios', `${name}.json`);

// An alert that names nothing in the cluster, with no trouble anywhere: the namespace where configuration a workload
// reads changed last before the onset is where to look, not a guess.
test('a quiet alert is located where a mounted flag file changed just before the onset', async () => {
  const { result } = await replayScenarioFile(fixture('pantry-flag-change-locates-quiet-alert'));
  assert.deepEqual(result.rootCause, { kind: 'ConfigMap', namespace: 'larder', name: 'sorter-switches' });
  assert.ok(result.assumptions.some((a) => /^namespace larder: .*ConfigMap sorter-switches/.test(a)));
});

// Another door: a StatefulSet reading the switch through envFrom, the alert labelled with words naming nothing.
test('a StatefulSet reading a changed switch through envFrom locates a quiet alert', async () => {
  const { result } = await replayScenarioFile(fixture('kilnhouse-env-switch-locates-quiet-alert'));
  assert.deepEqual(result.rootCause, { kind: 'ConfigMap', namespace: 'kiln-core', name: 'glaze-matcher-env' });
  assert.ok(result.assumptions.some((a) => a.startsWith('namespace kiln-core: ')));
});

// A ConfigMap no template reads (a status record a controller rewrites) and one changed after the onset say nothing
// of where the symptom is.
test('an unread ConfigMap or one changed after the onset does not locate the alert', async () => {
  const { result } = await replayScenarioFile(fixture('ferrygate-unread-or-later-config-change-locates-nothing'));
  assert.deepEqual(result.rootCause, { kind: 'ConfigMap', namespace: 'quay-route', name: 'berth-rules' });
});

// The cluster-wide ConfigMap list only improves a guess: refused (RBAC that grants ConfigMaps per namespace), the
// investigation goes on from the guess instead of failing.
test('a refused cluster-wide ConfigMap list leaves the guess, not a failed investigation', async () => {
  const scenario = await loadScenario(fixture('pantry-flag-change-locates-quiet-alert'));
  const server = await startKubeApiServer({
    objects: scenario.cluster.objects,
    now: new Date(scenario.now),
    authorize: (request) => !(request.resource === 'configmaps' && request.verb === 'list' && !request.namespace),
  });
  try {
    const result = await investigate(AlertSchema.parse(scenario.alert), {
      kubeConfig: simulationKubeConfig(server.url),
      audit: new MemoryAuditLog(),
      now: new Date(scenario.now),
    });
    assert.ok(result.assumptions.some((a) => /: a guess — nothing in the alert or the cluster points/.test(a)));
    assert.ok(server.requests().some((r) => r.path === '/api/v1/configmaps' && r.status === 403));
  } finally {
    await server.close();
  }
});

describe('changedConfigBeforeOnset', () => {
  const onset = Date.parse('2026-11-20T10:00:00Z');
  const snapshot = cluster((s) => {
    app(s, 'reader', { container: { envFrom: [{ configMapRef: { name: 'reader-env' } }] } });
    configMap(s, 'reader-env', { MODE: 'fast' });
    configMap(s, 'status-record', { state: 'ok' });
  });
  const edit = (name: string, time: string) => {
    const object = snapshot.configMaps.find((c) => c.metadata?.name === name);
    if (object?.metadata) object.metadata.managedFields = [{ manager: 'kubectl-edit', operation: 'Update', time }];
  };
  it('is none when only a ConfigMap no template reads changed, or a read one changed after the onset', () => {
    edit('status-record', '2026-11-20T09:59:00Z');
    edit('reader-env', '2026-11-20T10:05:00Z');
    assert.equal(changedConfigBeforeOnset(snapshot.configMaps, snapshot.deployments, onset), undefined);
  });
  it('is the read ConfigMap changed within the suspect window before the onset, with its readers', () => {
    edit('reader-env', '2026-11-20T09:40:00Z');
    assert.deepEqual(changedConfigBeforeOnset(snapshot.configMaps, snapshot.deployments, onset), {
      namespace: NS,
      configMap: 'reader-env',
      changedAt: '2026-11-20T09:40:00Z',
      readers: ['reader'],
      alsoIn: [],
    });
  });
});

// Many changes before the onset: the last one is chosen, and the answer says where else read configuration changed
// and whether the cluster-wide list was read to its end, so that the choice is not taken for more than it is.
describe('describeChangedConfig', () => {
  const onset = Date.parse('2026-11-20T10:00:00Z');
  const snapshot = cluster((s) => {
    app(s, 'reader', { container: { envFrom: [{ configMapRef: { name: 'reader-env' } }] } });
    configMap(s, 'reader-env', { MODE: 'fast' }, '2026-11-20T09:40:00Z');
    app(s, 'weigher', { container: { envFrom: [{ configMapRef: { name: 'weigher-env' } }] } });
    configMap(s, 'weigher-env', { SCALE: 'kg' }, '2026-11-20T09:10:00Z');
  });
  for (const object of [...snapshot.deployments, ...snapshot.configMaps])
    if (object.metadata?.name?.startsWith('weigher') && object.metadata) object.metadata.namespace = 'scales';

  it('names the other namespaces where read configuration changed within the window before the onset', () => {
    const changed = changedConfigBeforeOnset(snapshot.configMaps, snapshot.deployments, onset);
    assert.equal(changed?.namespace, NS);
    assert.deepEqual(changed?.alsoIn, ['scales']);
    const told = changed ? describeChangedConfig(changed, true) : '';
    assert.match(
      told,
      /^namespace shop: .*ConfigMap reader-env, which reader reads, changed there at 2026-11-20T09:40:00Z/,
    );
    assert.match(told, /; read configuration changed before it in scales too, so this choice may be wrong$/);
  });

  it('says when the ConfigMaps were not all read, so no later change is ruled out', () => {
    const changed = changedConfigBeforeOnset(snapshot.configMaps.slice(0, 1), snapshot.deployments, onset);
    assert.deepEqual(changed?.alsoIn, []);
    const told = changed ? describeChangedConfig(changed, false) : '';
    assert.match(
      told,
      /the last change of configuration before the onset among the ConfigMaps read \(the cluster's list was cut short\)$/,
    );
  });
});
