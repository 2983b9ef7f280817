import { z } from 'zod';
import { type PlanAction, PlanActionSchema } from './actions.ts';
import type { JsonPatchOp } from './json-patch.ts';
import { API_VERSIONS, type KubeObject, type ObjectKind, type ObjectRef } from './object-kinds.ts';

export type Risk = 'low' | 'medium' | 'high';

/** One exact write. Together a plan's changes are everything the executor may send to the cluster. */
export type Change =
  | { type: 'patch'; ref: ObjectRef; ops: JsonPatchOp[] }
  | { type: 'delete'; ref: ObjectRef }
  | { type: 'create'; ref: ObjectRef; manifest: KubeObject };

/** A value at a JSON pointer as it was at plan time (`absent` when the path did not exist). */
export interface FieldCondition {
  path: string;
  value?: unknown;
  absent?: boolean;
}

/** What must still hold of a target when the plan runs; otherwise the plan is stale. */
export interface Precondition {
  ref: ObjectRef;
  exists: boolean;
  uid?: string;
  /** Compared for kinds whose spec changes bump it (workloads). */
  generation?: number;
  resourceVersion?: string;
  /** Compared for kinds without a status that churns (ConfigMap, Secret, Service, NetworkPolicy). */
  pinResourceVersion: boolean;
  fields: FieldCondition[];
}

export type Check =
  | { type: 'rollout-complete'; ref: ObjectRef }
  | { type: 'pods-ready'; namespace: string; selector: Record<string, string>; minReady: number }
  | { type: 'endpoints-ready'; namespace: string; name: string }
  | { type: 'field'; ref: ObjectRef; condition: FieldCondition }
  | { type: 'absent'; ref: ObjectRef }
  | { type: 'present'; ref: ObjectRef }
  | { type: 'pod-replaced'; ref: ObjectRef; uid: string };

export interface PlanSpec {
  action: PlanAction;
  summary: string;
  risk: Risk;
  riskReason: string;
  preconditions: Precondition[];
  changes: Change[];
  /** The exact change as people read it (unified-diff style, Secret values masked). */
  diff: string;
  verification: Check[];
  rollback: string;
}

// The plan row keeps the spec, and the snapshot taken before applying it, as JSON: read back, they are parsed
// with these schemas (`z.ZodType<…>` holds each to the type above), never cast.

const ObjectRefSchema: z.ZodType<ObjectRef> = z.object({
  kind: z.enum(Object.keys(API_VERSIONS) as [ObjectKind, ...ObjectKind[]]),
  namespace: z.string().optional(),
  name: z.string(),
});

const StringMap = z.record(z.string(), z.string());

export const KubeObjectSchema: z.ZodType<KubeObject> = z.looseObject({
  metadata: z
    .looseObject({
      name: z.string().optional(),
      namespace: z.string().optional(),
      uid: z.string().optional(),
      resourceVersion: z.string().optional(),
      generation: z.number().optional(),
      labels: StringMap.optional(),
      annotations: StringMap.optional(),
    })
    .optional(),
});

const JsonPatchOpSchema: z.ZodType<JsonPatchOp> = z.discriminatedUnion('op', [
  z.object({ op: z.literal('add'), path: z.string(), value: z.unknown() }),
  z.object({ op: z.literal('replace'), path: z.string(), value: z.unknown() }),
  z.object({ op: z.literal('remove'), path: z.string() }),
]);

const ChangeSchema: z.ZodType<Change> = z.discriminatedUnion('type', [
  z.object({ type: z.literal('patch'), ref: ObjectRefSchema, ops: z.array(JsonPatchOpSchema) }),
  z.object({ type: z.literal('delete'), ref: ObjectRefSchema }),
  z.object({ type: z.literal('create'), ref: ObjectRefSchema, manifest: KubeObjectSchema }),
]);

const FieldConditionSchema: z.ZodType<FieldCondition> = z.object({
  path: z.string(),
  value: z.unknown().optional(),
  absent: z.boolean().optional(),
});

const PreconditionSchema: z.ZodType<Precondition> = z.object({
  ref: ObjectRefSchema,
  exists: z.boolean(),
  uid: z.string().optional(),
  generation: z.number().optional(),
  resourceVersion: z.string().optional(),
  pinResourceVersion: z.boolean(),
  fields: z.array(FieldConditionSchema),
});

const CheckSchema: z.ZodType<Check> = z.discriminatedUnion('type', [
  z.object({ type: z.literal('rollout-complete'), ref: ObjectRefSchema }),
  z.object({ type: z.literal('pods-ready'), namespace: z.string(), selector: StringMap, minReady: z.number() }),
  z.object({ type: z.literal('endpoints-ready'), namespace: z.string(), name: z.string() }),
  z.object({ type: z.literal('field'), ref: ObjectRefSchema, condition: FieldConditionSchema }),
  z.object({ type: z.literal('absent'), ref: ObjectRefSchema }),
  z.object({ type: z.literal('present'), ref: ObjectRefSchema }),
  z.object({ type: z.literal('pod-replaced'), ref: ObjectRefSchema, uid: z.string() }),
]);

export const PlanSpecSchema: z.ZodType<PlanSpec> = z.object({
  action: PlanActionSchema,
  summary: z.string(),
  risk: z.enum(['low', 'medium', 'high']),
  riskReason: z.string(),
  preconditions: z.array(PreconditionSchema),
  changes: z.array(ChangeSchema),
  diff: z.string(),
  verification: z.array(CheckSchema),
  rollback: z.string(),
});

/** The last-known-good copy of each change's target, saved before the first write (null: it did not exist). */
export interface SnapshotEntry {
  ref: ObjectRef;
  object: KubeObject | null;
}

export const SnapshotSchema: z.ZodType<SnapshotEntry[]> = z.array(
  z.object({ ref: ObjectRefSchema, object: KubeObjectSchema.nullable() }),
);
