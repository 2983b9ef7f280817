import type { RemediationProposal } from '../model.ts';
import { refKey } from '../model.ts';
import type { EvidenceGraph } from './graph.ts';
import type { ClusterSnapshot } from './snapshot.ts';
import type { EntityRef } from '../model.ts';

export type ReplicaSet = ClusterSnapshot['replicaSets'][number];

export const revisionOf = (rs: ReplicaSet): number =>
  Number(rs.metadata?.annotations?.['deployment.kubernetes.io/revision'] ?? 0);

/** The Deployment's ReplicaSets, newest revision first. */
export function revisions(snapshot: ClusterSnapshot, graph: EvidenceGraph, deployment: EntityRef): ReplicaSet[] {
  return snapshot.replicaSets
    .filter((rs) => rs.metadata?.namespace === deployment.namespace)
    .filter((rs) =>
      graph.edges.some(
        (e) =>
          e.kind === 'owns' &&
          refKey(e.from) === refKey(deployment) &&
          e.to.kind === 'ReplicaSet' &&
          e.to.name === rs.metadata?.name,
      ),
    )
    .sort((a, b) => revisionOf(b) - revisionOf(a));
}

/** Undo to the revision before the newest one, when the cluster still has it. */
export function rollbackProposal(
  snapshot: ClusterSnapshot,
  graph: EvidenceGraph,
  workload: EntityRef,
  why: string,
): RemediationProposal | undefined {
  if (workload.kind !== 'Deployment') return undefined;
  const [current, previous] = revisions(snapshot, graph, workload);
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
