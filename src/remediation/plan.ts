import type { PlanAction } from './actions.ts';
import { deriveChange, type LiveState, targetRef } from './changes.ts';
import { renderDiff } from './diff.ts';
import { ABSENT, deepEqual, valueAt } from './json-patch.ts';
import { type KubeObject, type KubeObjects, labelSelector } from './kube-objects.ts';
import { entityLabel } from '../investigation/model.ts';
import type { FieldCondition, Precondition, PlanSpec } from './plan-spec.ts';

// Objects without a status that churns: any write to them is a change the plan did not see.
const PINNED_KINDS = new Set(['ConfigMap', 'Secret', 'Service', 'NetworkPolicy']);

/** Reads what the action needs from the cluster (the target, plus ReplicaSets or consumers). */
export async function readLiveState(action: PlanAction, kube: KubeObjects): Promise<LiveState> {
  const target = await kube.read(targetRef(action));
  if (action.type === 'rollout-undo' && target) {
    const matchLabels = (target.spec as { selector?: { matchLabels?: Record<string, string> } } | undefined)?.selector
      ?.matchLabels;
    return { target, replicaSets: await kube.list('ReplicaSet', action.namespace, labelSelector(matchLabels ?? {})) };
  }
  if (action.type === 'restore-config-key') {
    const kinds = ['Deployment', 'StatefulSet', 'DaemonSet'] as const;
    const lists = await Promise.all(kinds.map((kind) => kube.list(kind, action.namespace)));
    const workloads = lists.flatMap((items, index) => items.map((item) => ({ ...item, kind: kinds[index] })));
    return { target, workloads };
  }
  return { target };
}

export function preconditionOf(change: PlanSpec['changes'][number], object: KubeObject | null): Precondition {
  const paths = change.type === 'patch' ? [...new Set(change.ops.map((op) => op.path))] : [];
  const fields: FieldCondition[] = paths.map((path) => {
    const value = valueAt(object, path);
    return value === ABSENT ? { path, absent: true } : { path, value };
  });
  return {
    ref: change.ref,
    exists: object !== null,
    uid: object?.metadata?.uid,
    generation: object?.metadata?.generation,
    resourceVersion: object?.metadata?.resourceVersion,
    pinResourceVersion: PINNED_KINDS.has(change.ref.kind),
    fields,
  };
}

/** Why a live object no longer matches its precondition, or null when it still does. */
export function staleReason(precondition: Precondition, live: KubeObject | null): string | null {
  const what = entityLabel(precondition.ref);
  if (!precondition.exists) return live ? `${what} was created since the plan was made` : null;
  if (!live) return `${what} was deleted since the plan was made`;
  if (precondition.uid && live.metadata?.uid !== precondition.uid) return `${what} was re-created`;
  if (precondition.generation !== undefined && live.metadata?.generation !== precondition.generation) {
    return `${what} spec changed (generation ${precondition.generation} → ${live.metadata?.generation})`;
  }
  if (precondition.pinResourceVersion && live.metadata?.resourceVersion !== precondition.resourceVersion) {
    return `${what} changed (resourceVersion ${precondition.resourceVersion} → ${live.metadata?.resourceVersion})`;
  }
  for (const field of precondition.fields) {
    const value = valueAt(live, field.path);
    const same = field.absent ? value === ABSENT : value !== ABSENT && deepEqual(value, field.value);
    if (!same) return `${what} ${field.path} changed`;
  }
  return null;
}

/** Derives the full plan (risk, preconditions, exact change, verification, rollback) from the live cluster. */
export async function derivePlan(
  action: PlanAction,
  summary: string,
  kube: KubeObjects,
  now = new Date(),
): Promise<PlanSpec> {
  const live = await readLiveState(action, kube);
  const derived = deriveChange(action, live, now);
  const objects = new Map<string, KubeObject | null>([[entityLabel(targetRef(action)), live.target]]);
  for (const workload of live.workloads ?? []) {
    objects.set(
      entityLabel({
        kind: String(workload.kind),
        namespace: workload.metadata?.namespace,
        name: workload.metadata?.name ?? '',
      }),
      workload,
    );
  }
  return {
    action,
    summary,
    risk: derived.risk,
    riskReason: derived.riskReason,
    preconditions: derived.changes.map((change) =>
      preconditionOf(change, objects.get(entityLabel(change.ref)) ?? null),
    ),
    changes: derived.changes,
    diff: renderDiff(derived.changes, objects),
    verification: derived.verification,
    rollback: derived.rollback,
  };
}
