import { previousGeneration } from './generations.ts';
import type { ClusterSnapshot } from './snapshot.ts';
import { snapshotNow, toMs } from './time.ts';
import { SUSPECT_CHANGE_WINDOW } from './onset.ts';

type ReplicaSet = ClusterSnapshot['replicaSets'][number];

/** The controller a ReplicaSet belongs to, by name. */
export const rolloutOwner = (rs: ReplicaSet): string | undefined =>
  rs.metadata?.ownerReferences?.find((o) => o.controller)?.name;

/**
 * ReplicaSets of the namespace created within the suspect window that replace an earlier revision of the same
 * controller (a first revision is a new workload, not a rollout, unless it is a new generation's) and still run pods: the workloads changed shortly
 * before the snapshot, newest first.
 */
export function recentRollouts(snapshot: ClusterSnapshot, namespace: string): ReplicaSet[] {
  const now = snapshotNow(snapshot);
  return snapshot.replicaSets
    .filter((rs) => rs.metadata?.namespace === namespace && (rs.status?.replicas ?? 0) > 0)
    .filter((rs) => {
      const created = toMs(rs.metadata?.creationTimestamp);
      if (created === undefined || now - created > SUSPECT_CHANGE_WINDOW) return false;
      const owner = rolloutOwner(rs);
      return (
        snapshot.replicaSets.some(
          (other) =>
            other !== rs &&
            other.metadata?.namespace === namespace &&
            rolloutOwner(other) === owner &&
            (toMs(other.metadata?.creationTimestamp) ?? now) < created,
        ) ||
        // The first ReplicaSet of a workload generated for a new revision of a higher object replaces the previous
        // generation's workload: a rollout too.
        (owner !== undefined &&
          previousGeneration(snapshot, { kind: 'Deployment', namespace, name: owner }) !== undefined)
      );
    })
    .sort((a, b) => (toMs(b.metadata?.creationTimestamp) ?? 0) - (toMs(a.metadata?.creationTimestamp) ?? 0));
}
