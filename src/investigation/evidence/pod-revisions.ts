import type { EvidenceGraph } from './graph.ts';
import type { ClusterSnapshot } from './snapshot.ts';
import { snapshotNow, toMs } from './time.ts';
import type { Pod, Workload } from './workloads.ts';
import { SUSPECT_CHANGE_WINDOW } from './onset.ts';

/** The label the StatefulSet and DaemonSet controllers stamp on each pod: the revision it was made from. */
const REVISION_LABEL = 'controller-revision-hash';

/** A StatefulSet or DaemonSet part-way through rolling out a revision, read from its pods and status. */
export interface PodRevisionRollout {
  workload: Workload;
  /** The revision being rolled out (as the pods' revision label names it). */
  revision: string;
  /** Pods already made from it, and pods still on the revisions it replaces. */
  updated: Pod[];
  previous: Pod[];
  /** When its first pod was made: the rollout reached the pods then. */
  since: string;
}

const revisionOf = (pod: Pod): string | undefined => pod.metadata?.labels?.[REVISION_LABEL];
const createdMs = (pod: Pod): number => toMs(pod.metadata?.creationTimestamp) ?? 0;

/**
 * StatefulSets and DaemonSets keep their revisions as ControllerRevisions, not ReplicaSets, so the revisions a
 * Deployment's rollout is read from do not exist for them. Their pods say it instead: each carries the revision it was
 * made from, and a StatefulSet's status names the revision it rolls out (updateRevision) while the one it replaces
 * (currentRevision) differs — a rolling update stops at the first updated pod that does not become ready, so a failing
 * revision stays in progress. A DaemonSet names none: the revision of its most recently made pods is the new one.
 * Rollouts that reached the pods within the window of suspect changes.
 */
export function podRevisionRollouts(snapshot: ClusterSnapshot, graph: EvidenceGraph): PodRevisionRollout[] {
  const now = snapshotNow(snapshot);
  return graph.workloads.flatMap((workload) => {
    if (workload.ref.kind !== 'StatefulSet' && workload.ref.kind !== 'DaemonSet') return [];
    const pods = graph.podsOf(workload.ref).filter((pod) => revisionOf(pod));
    const revision = rollingOut(snapshot, workload, pods);
    if (!revision) return [];
    const updated = pods.filter((pod) => revisionOf(pod) === revision);
    const first = updated.map(createdMs).sort((a, b) => a - b)[0];
    if (first === undefined || first === 0 || now - first > SUSPECT_CHANGE_WINDOW) return [];
    const previous = pods.filter((pod) => revisionOf(pod) !== revision);
    return [{ workload, revision, updated, previous, since: new Date(first).toISOString() }];
  });
}

/** The revision the workload is rolling out, when a rollout is in progress. */
function rollingOut(snapshot: ClusterSnapshot, workload: Workload, pods: Pod[]): string | undefined {
  const { namespace, name } = workload.ref;
  if (workload.ref.kind === 'StatefulSet') {
    const status = snapshot.statefulSets.find(
      (s) => s.metadata?.namespace === namespace && s.metadata?.name === name,
    )?.status;
    const update = status?.updateRevision;
    return update && status?.currentRevision && update !== status.currentRevision ? update : undefined;
  }
  const revisions = new Set(pods.map(revisionOf));
  if (revisions.size < 2) return undefined;
  const newest = [...pods].sort((a, b) => createdMs(b) - createdMs(a))[0];
  return newest ? revisionOf(newest) : undefined;
}
