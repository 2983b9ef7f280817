import type { V1PodTemplateSpec } from '@kubernetes/client-node';
import type { EntityRef } from '../model.ts';
import { revisions } from './revisions.ts';
import type { ClusterSnapshot, Plain } from './snapshot.ts';

export type Pod = ClusterSnapshot['pods'][number];
export type PodSpec = NonNullable<Pod['spec']>;
export type Container = PodSpec['containers'][number];

/** A controller that owns pods (or a bare pod), with the pod template it stamps them from. */
export interface Workload {
  ref: EntityRef;
  template?: Plain<V1PodTemplateSpec>;
  /** Labels, annotations and managedFields of the controller object itself. */
  metadata?: Pod['metadata'];
  desiredReplicas?: number;
  readyReplicas?: number;
}

export const WORKLOAD_KINDS = new Set([
  'Deployment',
  'StatefulSet',
  'DaemonSet',
  'Job',
  'CronJob',
  'ReplicaSet',
  'Pod',
]);

export const isWorkloadKind = (kind: string): boolean => WORKLOAD_KINDS.has(kind);

export function workloadsOf(snapshot: ClusterSnapshot): Workload[] {
  const ref = (kind: string, metadata: Pod['metadata']): EntityRef => ({
    kind,
    namespace: metadata?.namespace ?? '',
    name: metadata?.name ?? '',
  });
  return [
    ...snapshot.deployments.map((d) => ({
      ref: ref('Deployment', d.metadata),
      template: d.spec?.template,
      metadata: d.metadata,
      desiredReplicas: d.spec?.replicas ?? 1,
      readyReplicas: d.status?.readyReplicas ?? 0,
    })),
    ...snapshot.statefulSets.map((s) => ({
      ref: ref('StatefulSet', s.metadata),
      template: s.spec?.template,
      metadata: s.metadata,
      desiredReplicas: s.spec?.replicas ?? 1,
      readyReplicas: s.status?.readyReplicas ?? 0,
    })),
    ...snapshot.daemonSets.map((d) => ({
      ref: ref('DaemonSet', d.metadata),
      template: d.spec?.template,
      metadata: d.metadata,
      desiredReplicas: d.status?.desiredNumberScheduled ?? 0,
      readyReplicas: d.status?.numberReady ?? 0,
    })),
    ...snapshot.jobs.map((j) => ({ ref: ref('Job', j.metadata), template: j.spec?.template, metadata: j.metadata })),
    ...replicaSetControllers(snapshot),
  ];
}

/**
 * Controllers other than Deployments that own ReplicaSets (a progressive-delivery controller's rollout, an operator's
 * own workload kind), known through their ReplicaSets' controller ownerReferences whatever their kind: a workload like
 * a Deployment, stamping pods from its newest ReplicaSet's template, its replicas those of all its ReplicaSets.
 */
function replicaSetControllers(snapshot: ClusterSnapshot): Workload[] {
  const owned = new Map<string, { ref: EntityRef; replicaSets: ClusterSnapshot['replicaSets'] }>();
  for (const rs of snapshot.replicaSets) {
    const owner = rs.metadata?.ownerReferences?.find((o) => o.controller);
    if (!owner || owner.kind === 'Deployment') continue;
    const ref = { kind: owner.kind, namespace: rs.metadata?.namespace ?? '', name: owner.name };
    const key = `${ref.kind}/${ref.namespace}/${ref.name}`;
    const entry = owned.get(key) ?? { ref, replicaSets: [] };
    entry.replicaSets.push(rs);
    owned.set(key, entry);
  }
  return [...owned.values()].map(({ ref, replicaSets }) => {
    const newest = revisions({ ...snapshot, replicaSets }, ref)[0];
    return {
      ref,
      template: newest?.spec?.template,
      desiredReplicas: replicaSets.reduce((sum, rs) => sum + (rs.spec?.replicas ?? 0), 0),
      readyReplicas: replicaSets.reduce((sum, rs) => sum + (rs.status?.readyReplicas ?? 0), 0),
    };
  });
}

/** Every container of a pod spec, init containers first, with whether it is one. */
export const allContainers = (spec: PodSpec | undefined): { container: Container; init: boolean }[] => [
  ...(spec?.initContainers ?? []).map((container) => ({ container, init: true })),
  ...(spec?.containers ?? []).map((container) => ({ container, init: false })),
];
