import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import {
  type ControllerScenario,
  type ControllerStore,
  createControllers,
  type SimObject,
} from '../../src/simulation/controllers.ts';

const scenario = JSON.parse(
  readFileSync(new URL('./fixtures/bad-rollout.json', import.meta.url), 'utf8'),
) as ControllerScenario;

/** A plain map store, standing in for the API server's, to drive the hook directly. */
function memoryStore(
  objects: SimObject[],
): ControllerStore & { get(kind: string, name: string): SimObject | undefined } {
  const items = new Map(
    objects.map((o) => [`${o.kind}/${o.metadata?.namespace ?? ''}/${o.metadata?.name}`, structuredClone(o)]),
  );
  const id = (kind: string, namespace: string | undefined, name: string) => `${kind}/${namespace ?? ''}/${name}`;
  return {
    list: (kind, namespace) =>
      [...items.values()].filter(
        (o) => o.kind === kind && (namespace === undefined || o.metadata?.namespace === namespace),
      ),
    put: (object) =>
      void items.set(id(object.kind ?? '', object.metadata?.namespace, object.metadata?.name ?? ''), object),
    remove: (kind, namespace, name) => void items.delete(id(kind, namespace, name)),
    get: (kind, name) => [...items.values()].find((o) => o.kind === kind && o.metadata?.name === name),
  };
}

const ready = (pod: SimObject) =>
  ((pod.status as { conditions?: { type: string; status: string }[] }).conditions ?? []).some(
    (c) => c.type === 'Ready' && c.status === 'True',
  );

function writeTemplate(
  store: ReturnType<typeof memoryStore>,
  onWrite: ReturnType<typeof createControllers>,
  template: unknown,
) {
  const before = store.get('Deployment', 'api') as SimObject;
  const after = structuredClone(before);
  (after.spec as { template: unknown }).template = structuredClone(template);
  (after.metadata as { generation: number }).generation += 1;
  store.put(after);
  onWrite(store, { kind: 'Deployment', namespace: 'shop', name: 'api', before, after });
  return store.list('Pod', 'shop');
}

describe('simulation controllers', () => {
  const objects = scenario.cluster.objects;
  const goodTemplate = structuredClone(
    (
      objects.find(
        (o) => o.kind === 'ReplicaSet' && o.metadata?.annotations?.['deployment.kubernetes.io/revision'] === '1',
      )!.spec as { template: { metadata: { labels: Record<string, string> } } }
    ).template,
  );
  delete goodTemplate.metadata.labels['pod-template-hash'];
  const brokenTemplate = (objects.find((o) => o.kind === 'Deployment')!.spec as { template: unknown }).template;

  it('replaces pods with healthy ones when the write removes the fault, and reports the rollout', () => {
    const store = memoryStore(objects);
    const pods = writeTemplate(store, createControllers(scenario), goodTemplate);
    assert.equal(pods.length, 2);
    assert.ok(pods.every(ready));
    const status = store.get('Deployment', 'api')?.status as Record<string, number>;
    assert.deepEqual(
      [status.observedGeneration, status.updatedReplicas, status.readyReplicas, status.availableReplicas],
      [3, 2, 2, 2],
    );
    const endpoints = store.get('Endpoints', 'api') as { subsets: { addresses?: unknown[] }[] };
    assert.equal(endpoints.subsets[0]?.addresses?.length, 2);
    const revision = store.get('Deployment', 'api')?.metadata?.annotations?.['deployment.kubernetes.io/revision'];
    assert.equal(revision, '3', 'rolling back to revision 1 makes it the newest revision, as kubectl does');
  });

  it('keeps the failing status when the write does not touch the fault, and again after writing the fault back', () => {
    const store = memoryStore(objects);
    const onWrite = createControllers(scenario);
    const restarted = structuredClone(brokenTemplate) as { metadata: { annotations?: Record<string, string> } };
    restarted.metadata.annotations = { 'kubectl.kubernetes.io/restartedAt': '2026-11-20T10:31:00Z' };
    const afterRestart = writeTemplate(store, onWrite, restarted);
    assert.equal(afterRestart.length, 2);
    assert.ok(afterRestart.every((pod) => !ready(pod)));
    assert.match(JSON.stringify(afterRestart[0]?.status), /ImagePullBackOff/);
    assert.ok(writeTemplate(store, onWrite, goodTemplate).every(ready));
    assert.ok(writeTemplate(store, onWrite, brokenTemplate).every((pod) => !ready(pod)));
  });
});
