import type { PlanAction } from './actions.ts';
import type { JsonPatchOp } from './json-patch.ts';
import type { KubeObject, ObjectRef } from './kube-objects.ts';

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
