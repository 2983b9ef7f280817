import { z } from 'zod';

/**
 * Every change the bot may ever propose. The engine and the LLM agent can only pick from this list;
 * the executor (behind human approval) is the only code that turns one into a write.
 */
const workloadKind = z.enum(['Deployment', 'StatefulSet', 'DaemonSet']);
const name = z.string().min(1).max(253);
const namespace = z.string().min(1).max(63);
const quantityMap = z.partialRecord(z.enum(['cpu', 'memory', 'ephemeral-storage']), z.string()).optional();

export const PlanActionSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('rollout-restart'), kind: workloadKind, namespace, name }),
  z.object({
    type: z.literal('rollout-undo'),
    namespace,
    name,
    /** Revision to go back to (ReplicaSet `deployment.kubernetes.io/revision`). */
    toRevision: z.number().int().positive(),
  }),
  z.object({
    type: z.literal('scale'),
    kind: z.enum(['Deployment', 'StatefulSet']),
    namespace,
    name,
    replicas: z.number().int().min(0),
  }),
  z.object({
    type: z.literal('set-image'),
    kind: workloadKind,
    namespace,
    name,
    container: name,
    image: z.string().min(1),
  }),
  z.object({
    type: z.literal('set-resources'),
    kind: workloadKind,
    namespace,
    name,
    container: name,
    requests: quantityMap,
    limits: quantityMap,
  }),
  z.object({
    type: z.literal('restore-config-key'),
    kind: z.enum(['ConfigMap', 'Secret']),
    namespace,
    name,
    key: z.string().min(1),
    /** The last-known-good value; for a Secret it is never shown, only its source. */
    value: z.string(),
  }),
  z.object({ type: z.literal('delete-pod'), namespace, name }),
  z.object({ type: z.literal('cordon-node'), name }),
  z.object({ type: z.literal('uncordon-node'), name }),
  z.object({ type: z.literal('set-service-selector'), namespace, name, selector: z.record(z.string(), z.string()) }),
  z.object({
    type: z.literal('set-service-port'),
    namespace,
    name,
    port: z.number().int().min(1).max(65535),
    targetPort: z.union([z.number().int().min(1).max(65535), z.string().min(1)]),
  }),
  z.object({ type: z.literal('delete-network-policy'), namespace, name }),
  z.object({ type: z.literal('restore-network-policy'), namespace, name, manifest: z.record(z.string(), z.unknown()) }),
]);

export type PlanAction = z.infer<typeof PlanActionSchema>;
export type PlanActionType = PlanAction['type'];
