import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { refKey } from '../../src/investigation/model.ts';
import { loadScenario } from '../../src/simulation/scenario.ts';
import { replayScenarioFile } from './support/replay.ts';

const FIXTURE = join(import.meta.dirname, '../fixtures/scenarios/ferry-admission-webhook-refuses-pods.yaml');

type Doc = Record<string, unknown>;

// The ferry fixture, plus a MutatingWebhookConfiguration of the same name as the refusing Validating one, whose own
// webhook refuses the pods of another Deployment first: the two configurations are two entities.
async function withSameNamedMutatingConfiguration(): Promise<Doc> {
  const scenario = (await loadScenario(FIXTURE)) as unknown as Doc & { cluster: { objects: Doc[] } };
  const objects = scenario.cluster.objects;
  const validating = objects.find((o) => o.kind === 'ValidatingWebhookConfiguration') as Doc & { metadata: Doc };
  const deployment = objects.find((o) => o.kind === 'Deployment') as Doc;
  const replicaSet = objects.find((o) => o.kind === 'ReplicaSet') as Doc;
  const event = objects.find((o) => o.kind === 'Event') as Doc;
  const clone = <T>(value: T): T => structuredClone(value);
  const rename = (o: Doc, from: string, to: string): Doc => JSON.parse(JSON.stringify(o).replaceAll(from, to));
  const reports = rename(clone(deployment), 'ticketing', 'reports');
  const reportsSet = rename(clone(replicaSet), 'ticketing', 'reports');
  const reportsEvent = rename(
    rename(clone(event), 'ticketing', 'reports'),
    'cost-center.policies.platform.example',
    'sidecar.policies.platform.example',
  );
  (reportsEvent.metadata as Doc).uid = 'a1a1a1a1a1';
  (reports.metadata as Doc).uid = 'b2b2b2b2b2';
  (reportsSet.metadata as Doc).uid = 'c3c3c3c3c3';
  const mutating = {
    ...clone(validating),
    kind: 'MutatingWebhookConfiguration',
    metadata: { ...clone(validating.metadata), uid: 'd4d4d4d4d4' },
    webhooks: [{ ...clone((validating.webhooks as Doc[])[0]), name: 'sidecar.policies.platform.example' }],
  };
  const at = objects.indexOf(event);
  objects.splice(at, 0, reportsEvent);
  objects.push(reports, reportsSet, mutating);
  return scenario;
}

test('a Mutating and a Validating webhook configuration of the same name are two causes, not one (replayed)', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'same-name-webhooks-'));
  try {
    const file = join(dir, 'scenario.json');
    await writeFile(file, JSON.stringify(await withSameNamedMutatingConfiguration()));
    const { result } = await replayScenarioFile(file);
    assert.equal(
      result.rootCause ? refKey(result.rootCause) : 'none',
      'ValidatingWebhookConfiguration/platform-policies',
    );
    assert.equal(result.faultType, 'other');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
