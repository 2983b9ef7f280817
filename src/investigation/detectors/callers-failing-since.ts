import { type EvidenceGraph, refOf } from '../evidence/graph.ts';
import { eventTime } from '../evidence/events.ts';
import { isPodReady } from '../evidence/pod-state.ts';
import { recentRollouts } from '../evidence/rollout.ts';
import type { ClusterSnapshot } from '../evidence/snapshot.ts';
import { toMs } from '../evidence/time.ts';
import type { Pod } from '../evidence/workloads.ts';
import type { EntityRef } from '../model.ts';
import { refKey } from '../model.ts';
import { crashingWorkloads } from './crashing.ts';

/**
 * The callers of a workload's Services that fail only since `at` (when the workload changed), while they themselves
 * did not change: their failing pods already ran before it (they lived with the old answers), nothing warned about
 * them before it, and they crash-loop, or run unready with warnings that began since. A caller that crashes on what a
 * changed callee now answers (a value out of range, a unit it does not expect), or whose readiness check refuses it,
 * is the callee's victim, though the callee's own pods run ready and log nothing wrong.
 */
export function callersFailingSince(
  snapshot: ClusterSnapshot,
  graph: EvidenceGraph,
  workload: EntityRef,
  at: string | undefined,
): EntityRef[] {
  const changed = toMs(at);
  if (changed === undefined) return [];
  const callers = new Map<string, EntityRef>();
  for (const service of graph.servicesOf(workload))
    for (const edge of graph.callersOf(refOf('Service', service.metadata)))
      if (refKey(edge.from) !== refKey(workload)) callers.set(refKey(edge.from), edge.from);
  const rolledOut = new Set(recentRollouts(snapshot, graph).map(({ workload: w }) => refKey(w.ref)));
  const crashing = new Set(crashingWorkloads(snapshot, graph).map((crash) => refKey(crash.workload)));
  return [...callers.values()].filter((caller) => {
    if (rolledOut.has(refKey(caller))) return false;
    const failing = graph.podsOf(caller).filter((pod) => !isPodReady(pod));
    if (failing.length === 0) return false;
    const ranBefore = failing.every((pod) => (toMs(pod.metadata?.creationTimestamp) ?? changed) < changed);
    const warnings = warningsAbout(snapshot, failing).map((e) => toMs(e.firstTimestamp ?? eventTime(e)) ?? changed);
    if (!ranBefore || warnings.some((first) => first < changed)) return false;
    return crashing.has(refKey(caller)) || warnings.length > 0;
  });
}

function warningsAbout(snapshot: ClusterSnapshot, pods: Pod[]): ClusterSnapshot['events'] {
  const names = new Set(pods.map((pod) => `${pod.metadata?.namespace}/${pod.metadata?.name}`));
  return snapshot.events.filter(
    (e) => e.type === 'Warning' && names.has(`${e.involvedObject?.namespace}/${e.involvedObject?.name}`),
  );
}
