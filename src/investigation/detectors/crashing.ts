import type { EvidenceGraph } from '../evidence/graph.ts';
import type { ContainerState } from '../evidence/pod-state.ts';
import { containerStates } from '../evidence/pod-state.ts';
import type { ClusterSnapshot } from '../evidence/snapshot.ts';
import { HOUR, toMs, snapshotNow } from '../evidence/time.ts';
import type { EntityRef } from '../model.ts';
import { refKey } from '../model.ts';

export interface CrashingWorkload {
  workload: EntityRef;
  states: ContainerState[];
  /** When the earliest recent crash of these containers ended. */
  firstCrashAt?: string;
}

// Three detectors ask for the same answer in one diagnosis: computed once per graph (and snapshot, while its pods are
// the same list of the same length — the collector appends to a snapshot between waves).
const computed = new WeakMap<
  EvidenceGraph,
  { pods: ClusterSnapshot['pods']; count: number; crashing: readonly CrashingWorkload[] }
>();

/** Containers that keep exiting with an error (not OOM: that has its own detector), grouped by workload. */
export function crashingWorkloads(snapshot: ClusterSnapshot, graph: EvidenceGraph): readonly CrashingWorkload[] {
  const held = computed.get(graph);
  if (held && held.pods === snapshot.pods && held.count === snapshot.pods.length) return held.crashing;
  const crashing = findCrashing(snapshot, graph);
  computed.set(graph, { pods: snapshot.pods, count: snapshot.pods.length, crashing });
  return crashing;
}

function findCrashing(snapshot: ClusterSnapshot, graph: EvidenceGraph): CrashingWorkload[] {
  const now = snapshotNow(snapshot);
  const grouped = new Map<string, CrashingWorkload>();
  for (const pod of snapshot.pods) {
    for (const state of containerStates(pod)) {
      if (state.init) continue;
      const waiting = state.status.state?.waiting?.reason;
      const terminated = state.status.lastState?.terminated ?? state.status.state?.terminated;
      if (terminated?.reason === 'OOMKilled') continue;
      const recentExit =
        terminated && terminated.exitCode !== 0 && now - (toMs(terminated.finishedAt) ?? now) < 2 * HOUR;
      if (waiting !== 'CrashLoopBackOff' && !recentExit) continue;
      const workload = graph.workloadOf(pod);
      const key = refKey(workload);
      const entry = grouped.get(key) ?? { workload, states: [] };
      entry.states.push(state);
      const started = terminated?.startedAt ?? terminated?.finishedAt;
      if (started && (!entry.firstCrashAt || started < entry.firstCrashAt)) entry.firstCrashAt = started;
      grouped.set(key, entry);
    }
  }
  return [...grouped.values()];
}
