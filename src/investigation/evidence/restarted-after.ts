import type { EvidenceGraph } from './graph.ts';
import type { EntityRef } from '../model.ts';
import type { ClusterSnapshot } from './snapshot.ts';
import { toMs } from './time.ts';

/** The annotation `kubectl rollout restart` sets on a pod template: a new revision that changes nothing the pods run. */
export const RESTARTED_AT = 'kubectl.kubernetes.io/restartedAt';

/**
 * Whether a pod template was restarted on purpose (`kubectl rollout restart`) within `window` before `now`: someone
 * made its pods read again what they read (a Secret or ConfigMap just edited), so what they read is a suspect.
 */
export function restartedWithin(
  template: { metadata?: { annotations?: Record<string, string> } } | undefined,
  now: number,
  window: number,
): boolean {
  return withinBefore(template?.metadata?.annotations?.[RESTARTED_AT], now, window);
}

/**
 * Whether a new ReplicaSet of the workload with the same containers as the one before it was made within `window`
 * before `now`: a restart without a change of its own, made for its pods to read again what they read.
 */
export function restartedUnchangedWithin(
  snapshot: Pick<ClusterSnapshot, 'replicaSets'>,
  workload: Pick<EntityRef, 'kind' | 'namespace' | 'name'>,
  now: number,
  window: number,
): boolean {
  return unchangedRestarts(snapshot, workload).some((at) => withinBefore(at, now, window));
}

const withinBefore = (time: string | undefined, now: number, window: number): boolean => {
  const at = toMs(time);
  return at !== undefined && at <= now && now - at <= window;
};

/**
 * When the workload was restarted without a change to its containers within `window` after `at` — someone making
 * it pick up new configuration: `kubectl rollout restart` (the restartedAt annotation), or a new ReplicaSet whose
 * containers equal the previous one's.
 */
export function restartedAfter(
  snapshot: ClusterSnapshot,
  graph: EvidenceGraph,
  workload: EntityRef,
  at: number,
  window = 30 * 60_000,
): string | undefined {
  const inWindow = (time: string | undefined) => {
    const ms = toMs(time);
    return ms !== undefined && ms >= at && ms - at <= window;
  };
  const annotated = graph.workload(workload)?.template?.metadata?.annotations?.[RESTARTED_AT];
  if (inWindow(annotated)) return annotated;
  return unchangedRestarts(snapshot, workload).find(inWindow);
}

/**
 * When the workload's ReplicaSets were created with the same containers as the one before them, oldest first: each a
 * restart that changed no code or setting of its own (a controller that restarts on a config change, a rollout restart
 * by hand) — made for its pods to read again what they read.
 */
export function unchangedRestarts(
  snapshot: Pick<ClusterSnapshot, 'replicaSets'>,
  workload: Pick<EntityRef, 'kind' | 'namespace' | 'name'>,
): string[] {
  const sets = snapshot.replicaSets
    .filter(
      (rs) =>
        rs.metadata?.namespace === workload.namespace &&
        rs.metadata?.ownerReferences?.some((o) => o.kind === workload.kind && o.name === workload.name),
    )
    .sort((a, b) => (toMs(a.metadata?.creationTimestamp) ?? 0) - (toMs(b.metadata?.creationTimestamp) ?? 0));
  const containers = (index: number) => JSON.stringify(sets[index]?.spec?.template?.spec?.containers ?? null);
  return sets.flatMap((rs, i) =>
    i > 0 && containers(i) === containers(i - 1) && rs.metadata?.creationTimestamp
      ? [rs.metadata.creationTimestamp]
      : [],
  );
}
