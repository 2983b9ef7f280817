import { type EvidenceGraph, refOf } from '../evidence/graph.ts';
import { isWorkloadKind } from '../evidence/workloads.ts';
import type { ContainerState } from '../evidence/pod-state.ts';
import { containerStates } from '../evidence/pod-state.ts';
import type { ClusterSnapshot } from '../evidence/snapshot.ts';
import { HOUR, toMs, snapshotNow } from '../evidence/time.ts';
import type { EntityRef } from '../model.ts';
import { refKey } from '../model.ts';
import { hintsAt } from '../focus.ts';
import type { AlertWords } from './detector.ts';

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

/**
 * The other workloads an operator generates from the same custom resource as this one (a database's members and the
 * proxy in front of them): parts of one system, so the callers of one call the system.
 */
export function generatedSiblings(graph: EvidenceGraph, workload: EntityRef): EntityRef[] {
  const ownerOf = (ref: EntityRef) =>
    graph
      .workload(ref)
      ?.metadata?.ownerReferences?.find((o) => o.controller && !isWorkloadKind(o.kind) && o.apiVersion.includes('/'));
  const owner = ownerOf(workload);
  if (!owner) return [];
  return graph.workloads
    .map((w) => w.ref)
    .filter((ref) => {
      if (ref.namespace !== workload.namespace || refKey(ref) === refKey(workload)) return false;
      const other = ownerOf(ref);
      return other?.kind === owner.kind && other.name === owner.name;
    });
}

/** Whether other workloads call this one's Services, or those of a workload generated with it. */
export function isCalled(graph: EvidenceGraph, workload: EntityRef): boolean {
  return [workload, ...generatedSiblings(graph, workload)].some((ref) =>
    graph.servicesOf(ref).some((service) => graph.callersOf(refOf('Service', service.metadata)).length > 0),
  );
}

/**
 * A StatefulSet that serves through a Service (a database, a broker) while the alert's words do not hint at it: the
 * alert speaks of a consumer whose namespace was not read, and the server is, to it, a dependency down.
 */
export function unnamedStatefulServer(graph: EvidenceGraph, workload: EntityRef, alert?: AlertWords): boolean {
  if (!alert || workload.kind !== 'StatefulSet' || graph.servicesOf(workload).length === 0) return false;
  return !hintsAt(alert.text, workload.namespace ?? '')(workload.name);
}
