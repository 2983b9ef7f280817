import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import type { PlanAction } from '../../src/remediation/actions.ts';
import { deriveChange, PlanError } from '../../src/remediation/changes.ts';
import { renderDiff } from '../../src/remediation/diff.ts';
import { restoreOps, valueAt } from '../../src/remediation/json-patch.ts';
import type { KubeObject } from '../../src/remediation/kube-objects.ts';
import { entityLabel } from '../../src/investigation/model.ts';
import { preconditionOf, staleReason } from '../../src/remediation/plan.ts';

const { objects } = (
  JSON.parse(readFileSync(new URL('./fixtures/bad-rollout.json', import.meta.url), 'utf8')) as {
    cluster: { objects: KubeObject[] };
  }
).cluster;
const now = new Date('2026-11-20T10:30:00Z');

// A tiny in-memory JSON patch applier, only to check that rollback ops restore the snapshot exactly.
function applyOps(document: KubeObject, ops: ReturnType<typeof restoreOps>): KubeObject {
  const copy = structuredClone(document);
  for (const op of ops) {
    const tokens = op.path.slice(1).split('/');
    const last = tokens.pop() as string;
    const parent = tokens.reduce<Record<string, unknown>>(
      (node, token) => node[token] as Record<string, unknown>,
      copy,
    );
    if (op.op === 'remove') delete parent[last];
    else parent[last] = structuredClone(op.value);
  }
  return copy;
}

describe('plan derivation', () => {
  const deployment = objects.find((o) => o.kind === 'Deployment') as KubeObject;
  const name = deployment.metadata?.name as string;
  const namespace = deployment.metadata?.namespace as string;
  const replicaSets = objects.filter((o) => o.kind === 'ReplicaSet');

  it('rolls back to the named revision with the exact template, without pod-template-hash', () => {
    const action: PlanAction = { type: 'rollout-undo', namespace, name, toRevision: 1 };
    const derived = deriveChange(action, { target: deployment, replicaSets }, now);
    assert.equal(derived.risk, 'medium');
    const change = derived.changes[0];
    assert.ok(change?.type === 'patch');
    const template = change.ops.find((op) => op.path === '/spec/template');
    assert.ok(template && template.op !== 'remove');
    const value = template.value as KubeObject;
    assert.equal(valueAt(value, '/metadata/labels/pod-template-hash'), valueAt({}, '/x'));
    assert.match(String(valueAt(value, '/spec/containers/0/image')), /:1\.4\.2$/);
    const diff = renderDiff(derived.changes, new Map([[entityLabel(change.ref), deployment]]));
    assert.match(diff, /^- spec\.template\.spec\.containers\[0\]\.image: .*1\.5\.0-typo$/m);
    assert.match(diff, /^\+ spec\.template\.spec\.containers\[0\]\.image: .*1\.4\.2$/m);
    assert.deepEqual(
      derived.verification.map((check) => check.type),
      ['rollout-complete', 'pods-ready'],
    );
  });

  it('refuses a rollback to the revision already running, and an unknown revision', () => {
    assert.throws(
      () =>
        deriveChange(
          { type: 'rollout-undo', namespace, name, toRevision: 2 },
          { target: deployment, replicaSets },
          now,
        ),
      PlanError,
    );
    assert.throws(
      () =>
        deriveChange(
          { type: 'rollout-undo', namespace, name, toRevision: 9 },
          { target: deployment, replicaSets },
          now,
        ),
      /revision 9 not found/,
    );
  });

  it('rates risk from the action and the live object', () => {
    const scale = (replicas: number) =>
      deriveChange({ type: 'scale', kind: 'Deployment', namespace, name, replicas }, { target: deployment }, now).risk;
    assert.equal(scale(3), 'low');
    assert.equal(scale(0), 'high');
    const service = objects.find((o) => o.kind === 'Service') as KubeObject;
    const selector = deriveChange(
      { type: 'set-service-selector', namespace, name: service.metadata?.name as string, selector: { app: 'x' } },
      { target: service },
      now,
    );
    assert.equal(selector.risk, 'high');
  });

  it('restores a Secret key without showing the value, and restarts the workloads that read it', () => {
    const secret: KubeObject = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'creds', namespace, uid: 'u1', resourceVersion: '7' },
      data: { password: Buffer.from('wrong').toString('base64') },
    };
    const consumer: KubeObject = structuredClone(deployment);
    const containers = valueAt(consumer, '/spec/template/spec/containers') as Record<string, unknown>[];
    containers[0] = { ...containers[0], envFrom: [{ secretRef: { name: 'creds' } }] };
    const derived = deriveChange(
      { type: 'restore-config-key', kind: 'Secret', namespace, name: 'creds', key: 'password', value: 'hunter2' },
      {
        target: secret,
        workloads: [consumer, { ...structuredClone(deployment), metadata: { name: 'other', namespace } }],
      },
      now,
    );
    assert.equal(derived.risk, 'high');
    assert.equal(derived.changes.length, 2, 'the Secret and its one consumer');
    const objects = new Map([
      [entityLabel({ kind: 'Secret', namespace, name: 'creds' }), secret],
      [entityLabel({ kind: 'Deployment', namespace, name }), consumer],
    ]);
    const diff = renderDiff(derived.changes, objects);
    assert.doesNotMatch(diff, /hunter2|aHVudGVyMg|d3Jvbmc/);
    assert.match(diff, /data\.password: <secret value/);
    assert.match(diff, /kubectl\.kubernetes\.io\/restartedAt/);
  });

  it('rollback ops put every touched path back to its snapshot value', () => {
    const derived = deriveChange(
      { type: 'set-resources', kind: 'Deployment', namespace, name, container: 'api', limits: { memory: '1Gi' } },
      { target: deployment },
      now,
    );
    const change = derived.changes[0];
    assert.ok(change?.type === 'patch');
    const applied = applyOps(deployment, change.ops);
    assert.equal(valueAt(applied, '/spec/template/spec/containers/0/resources/limits/memory'), '1Gi');
    assert.deepEqual(applyOps(applied, restoreOps(change.ops, deployment, applied)), deployment);
  });

  it('calls a plan stale when its target changed since plan time', () => {
    const derived = deriveChange(
      { type: 'set-image', kind: 'Deployment', namespace, name, container: 'api', image: 'registry/app:v1' },
      { target: deployment },
      now,
    );
    const change = derived.changes[0];
    assert.ok(change);
    const precondition = preconditionOf(change, deployment);
    assert.equal(staleReason(precondition, deployment), null);
    const edited = structuredClone(deployment);
    (edited.metadata as { generation: number }).generation = 3;
    assert.match(String(staleReason(precondition, edited)), /generation 2 → 3/);
    assert.match(String(staleReason(precondition, null)), /deleted/);
  });
});
