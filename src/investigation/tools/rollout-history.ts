import { z } from 'zod';
import { controlledReplicaSets } from '../evidence/revisions.ts';
import type { ClusterSnapshot } from '../evidence/snapshot.ts';
import { listKind, readKind } from './kinds.ts';
import { selectorString } from './selector.ts';
import { defineTool } from './tool.ts';

type Deployment = ClusterSnapshot['deployments'][number];
type ReplicaSet = ClusterSnapshot['replicaSets'][number];

export interface Revision {
  revision: number;
  replicaSet: string;
  createdAt?: string;
  changeCause?: string;
  images: string[];
  replicas: number;
  readyReplicas: number;
  /** The ReplicaSet whose template the Deployment runs now. */
  current: boolean;
}

const REVISION = 'deployment.kubernetes.io/revision';
const CHANGE_CAUSE = 'kubernetes.io/change-cause';

/** ReplicaSets the Deployment controls (by controller ownerReference uid), newest revision first, as kubectl reads them. */
export function revisionsOf(deployment: Deployment, replicaSets: ReplicaSet[]): Revision[] {
  const currentRevision = deployment.metadata?.annotations?.[REVISION];
  return controlledReplicaSets(deployment, replicaSets).map((replicaSet) => {
    const revision = replicaSet.metadata?.annotations?.[REVISION];
    return {
      revision: Number.parseInt(revision ?? '0', 10) || 0,
      replicaSet: replicaSet.metadata?.name ?? '',
      createdAt: replicaSet.metadata?.creationTimestamp,
      changeCause: replicaSet.metadata?.annotations?.[CHANGE_CAUSE],
      images: (replicaSet.spec?.template?.spec?.containers ?? []).map((container) => container.image ?? ''),
      replicas: replicaSet.status?.replicas ?? 0,
      readyReplicas: replicaSet.status?.readyReplicas ?? 0,
      current: revision !== undefined && revision === currentRevision,
    };
  });
}

export const rolloutHistory = defineTool({
  name: 'rollout_history',
  description:
    "A Deployment's revisions (its ReplicaSets), newest first, with creation time, images, change cause and replica " +
    'counts: shows whether a recent rollout preceded the symptom and what changed.',
  args: z.object({ namespace: z.string().min(1), deployment: z.string().min(1) }),
  target: (args) => `Deployment/${args.namespace}/${args.deployment}`,
  async execute(args, ctx) {
    const deployment = await readKind(ctx.kubeConfig, 'Deployment', args.namespace, args.deployment);
    if (!deployment) return { found: false as const, revisions: [] };
    const labelSelector = selectorString(deployment.spec?.selector);
    const { items } = await listKind(ctx.kubeConfig, 'ReplicaSet', { namespace: args.namespace, labelSelector });
    return { found: true as const, revisions: revisionsOf(deployment, items) };
  },
});
