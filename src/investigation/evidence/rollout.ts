import type { RemediationProposal } from '../model.ts';
import type { EvidenceGraph } from './graph.ts';
import type { ClusterSnapshot } from './snapshot.ts';
import { type ReplicaSet, revisionOf, revisions } from './revisions.ts';
import { toMs, snapshotNow } from './time.ts';
import type { Workload } from './workloads.ts';
import type { EntityRef } from '../model.ts';
import { previousGeneration } from './generations.ts';
import { SUSPECT_CHANGE_WINDOW } from './onset.ts';

/** Undo to the revision before the newest one, when the cluster still has it. */
export function rollbackProposal(
  snapshot: ClusterSnapshot,
  workload: EntityRef,
  why: string,
): RemediationProposal | undefined {
  if (workload.kind !== 'Deployment') return undefined;
  const [current, previous] = revisions(snapshot, workload);
  if (!current || !previous || revisionOf(previous) <= 0) return undefined;
  return {
    summary: `Roll ${workload.name} back to revision ${revisionOf(previous)} (${why})`,
    action: {
      type: 'rollout-undo',
      namespace: workload.namespace ?? '',
      name: workload.name,
      toRevision: revisionOf(previous),
    },
  };
}

/**
 * Workloads whose newest revision was rolled out shortly before the snapshot, with the revision it replaced: the
 * previous ReplicaSet, or the newest of the previous generation's workload (evidence/generations.ts).
 */
export function recentRollouts(
  snapshot: ClusterSnapshot,
  graph: EvidenceGraph,
): { workload: Workload; current: ReplicaSet; previous: ReplicaSet }[] {
  const now = snapshotNow(snapshot);
  return graph.workloads.flatMap((workload) => {
    const [current, ownPrevious] = revisions(snapshot, workload.ref);
    // A workload generated anew for each revision of a higher object replaced the previous generation's workload.
    const older = previousGeneration(snapshot, workload.ref);
    const previous = older ? revisions(snapshot, older)[0] : ownPrevious;
    const created = toMs(current?.metadata?.creationTimestamp);
    if (!current || !previous || created === undefined || now - created > SUSPECT_CHANGE_WINDOW) return [];
    return [{ workload, current, previous }];
  });
}
