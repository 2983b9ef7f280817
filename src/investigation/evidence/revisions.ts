import type { EntityRef } from '../model.ts';
import { groupedBy } from './lookup.ts';
import { controllerOf } from './owner-references.ts';
import type { ClusterSnapshot } from './snapshot.ts';
import { toMs } from './time.ts';

export type ReplicaSet = ClusterSnapshot['replicaSets'][number];
type Deployment = ClusterSnapshot['deployments'][number];

const DEPLOYMENT_REVISION = 'deployment.kubernetes.io/revision';
/** Other controllers of ReplicaSets number their revisions the same way under their own group (`<group>/revision`). */
const REVISION_KEY = /(^|\/)revision$/;

/** A ReplicaSet's revision number, as its controller (a Deployment, or any other that owns ReplicaSets) stamped it. */
export function revisionOf(rs: ReplicaSet): number {
  const annotations = rs.metadata?.annotations ?? {};
  const key =
    DEPLOYMENT_REVISION in annotations
      ? DEPLOYMENT_REVISION
      : Object.keys(annotations).find((k) => REVISION_KEY.test(k));
  return Number((key && annotations[key]) ?? 0) || 0;
}

/** Newest first: by revision, then (controllers that number none) by creation time. */
const newestFirst = (a: ReplicaSet, b: ReplicaSet): number =>
  revisionOf(b) - revisionOf(a) ||
  (toMs(b.metadata?.creationTimestamp) ?? 0) - (toMs(a.metadata?.creationTimestamp) ?? 0);

/**
 * The uid of the object that controls this one (its ownerReference with `controller: true`). Kubernetes' and kubectl's
 * rule for "ReplicaSets of a Deployment": a name can belong to a deleted Deployment's leftovers, a uid cannot.
 */
export const controllerUid = (object: ReplicaSet): string | undefined => controllerOf(object.metadata)?.uid;

/** The ReplicaSets the Deployment controls (by controller ownerReference uid), newest revision first. */
export function controlledReplicaSets(deployment: Deployment, replicaSets: readonly ReplicaSet[]): ReplicaSet[] {
  const uid = deployment.metadata?.uid;
  if (!uid) return [];
  const byController = groupedBy(replicaSets, 'controller-uid', controllerUid);
  return [...(byController.get(uid) ?? [])].sort(newestFirst);
}

/**
 * The workload's ReplicaSets in the snapshot, newest revision first. A Deployment's by its uid; any other controller
 * of ReplicaSets (a progressive-delivery controller, an operator's workload kind), whose object may not have been
 * read, by the kind and name its ReplicaSets' controller ownerReference names: its revisions are read the same way.
 */
export function revisions(snapshot: ClusterSnapshot, workload: EntityRef): ReplicaSet[] {
  if (workload.kind === 'Deployment') {
    const byName = groupedBy(
      snapshot.deployments,
      'namespace/name',
      (d) => `${d.metadata?.namespace}/${d.metadata?.name}`,
    );
    const object = byName.get(`${workload.namespace}/${workload.name}`)?.[0];
    return object ? controlledReplicaSets(object, snapshot.replicaSets) : [];
  }
  return snapshot.replicaSets
    .filter((rs) => rs.metadata?.namespace === workload.namespace && controlledBy(rs, workload))
    .sort(newestFirst);
}

/** Whether the ReplicaSet's controller ownerReference names the workload (kind and name). */
const controlledBy = (rs: ReplicaSet, workload: EntityRef): boolean =>
  Boolean(
    rs.metadata?.ownerReferences?.some((o) => o.controller && o.kind === workload.kind && o.name === workload.name),
  );
