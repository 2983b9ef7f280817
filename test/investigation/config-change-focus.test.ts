import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it, test } from 'node:test';
import { changedConfigBeforeOnset } from '../../src/investigation/evidence/changed-config-namespace.ts';
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
    });
  });
});
