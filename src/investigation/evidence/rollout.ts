import type { RemediationProposal } from '../model.ts';
import type { EvidenceGraph } from './graph.ts';
import { groupedBy } from './lookup.ts';
import type { ClusterSnapshot } from './snapshot.ts';
import { toMs, snapshotNow, SUSPECT_CHANGE_WINDOW } from './time.ts';
import type { Workload } from './workloads.ts';
import type { EntityRef } from '../model.ts';

export type ReplicaSet = ClusterSnapshot['replicaSets'][number];
type Deployment = ClusterSnapshot['deployments'][number];

export const revisionOf = (rs: ReplicaSet): number =>
  Number(rs.metadata?.annotations?.['deployment.kubernetes.io/revision'] ?? 0);

/**
 * The uid of the object that controls this one (its ownerReference with `controller: true`). Kubernetes' and kubectl's
 * rule for "ReplicaSets of a Deployment": a name can belong to a deleted Deployment's leftovers, a uid cannot.
 */
export const controllerUid = (object: ReplicaSet): string | undefined =>
  object.metadata?.ownerReferences?.find((owner) => owner.controller)?.uid;

/** The ReplicaSets the Deployment controls (by controller ownerReference uid), newest revision first. */
export function controlledReplicaSets(deployment: Deployment, replicaSets: readonly ReplicaSet[]): ReplicaSet[] {
  const uid = deployment.metadata?.uid;
  if (!uid) return [];
  const byController = groupedBy(replicaSets, 'controller-uid', controllerUid);
  return [...(byController.get(uid) ?? [])].sort((a, b) => revisionOf(b) - revisionOf(a));
}

/** The Deployment's ReplicaSets in the snapshot, newest revision first. */
export function revisions(snapshot: ClusterSnapshot, deployment: EntityRef): ReplicaSet[] {
  const byName = groupedBy(
    snapshot.deployments,
    'namespace/name',
    (d) => `${d.metadata?.namespace}/${d.metadata?.name}`,
  );
  const object = byName.get(`${deployment.namespace}/${deployment.name}`)?.[0];
  return object ? controlledReplicaSets(object, snapshot.replicaSets) : [];
}

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

/** Deployments whose newest revision was rolled out shortly before the snapshot, with the revision it replaced. */
export function recentRollouts(
  snapshot: ClusterSnapshot,
  graph: EvidenceGraph,
): { workload: Workload; current: ReplicaSet; previous: ReplicaSet }[] {
  const now = snapshotNow(snapshot);
  return graph.workloads.flatMap((workload) => {
    if (workload.ref.kind !== 'Deployment') return [];
    const [current, previous] = revisions(snapshot, workload.ref);
    const created = toMs(current?.metadata?.creationTimestamp);
    if (!current || !previous || created === undefined || now - created > SUSPECT_CHANGE_WINDOW) return [];
    return [{ workload, current, previous }];
  });
}
