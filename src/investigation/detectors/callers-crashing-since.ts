import { type EvidenceGraph, refOf } from '../evidence/graph.ts';
import { eventTime } from '../evidence/events.ts';
import { recentRollouts } from '../evidence/rollout.ts';
import type { ClusterSnapshot } from '../evidence/snapshot.ts';
import { toMs } from '../evidence/time.ts';
import type { EntityRef } from '../model.ts';
import { refKey } from '../model.ts';
import { crashingWorkloads } from './crashing.ts';

/**
 * The callers of a workload's Services that crash only since `at` (when the workload changed), while they themselves
 * did not: their crashing pods already ran before it (they lived with the old answers) and nothing warned about them
 * before it. A caller that crashes on what a changed callee now answers (a value out of range, a unit it does not
 * expect) is the callee's victim, though the callee's own pods run ready and log nothing wrong.
 */
export function callersCrashingSince(
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
  return crashingWorkloads(snapshot, graph)
    .filter((crash) => callers.has(refKey(crash.workload)) && !rolledOut.has(refKey(crash.workload)))
    .filter((crash) => {
      const pods = [...new Set(crash.states.map((s) => s.pod))];
      const ranBefore = pods.every((pod) => (toMs(pod.metadata?.creationTimestamp) ?? changed) < changed);
      const names = new Set(pods.map((pod) => pod.metadata?.name ?? ''));
      const warnedBefore = snapshot.events.some(
        (e) =>
          e.type === 'Warning' &&
          e.involvedObject?.namespace === crash.workload.namespace &&
          names.has(e.involvedObject?.name ?? '') &&
          (toMs(e.firstTimestamp ?? eventTime(e)) ?? changed) < changed,
      );
      return ranBefore && !warnedBefore;
    })
    .map((crash) => crash.workload);
}
