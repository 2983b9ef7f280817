import type { PlanAction } from './actions.ts';
import type { PlanSpec } from './plan-spec.ts';

export const REDACTED = '<redacted>';

/** The action as it may be shown or recorded: a Secret's value never leaves the plan row. */
export function publicAction(action: PlanAction): PlanAction {
  return action.type === 'restore-config-key' && action.kind === 'Secret' ? { ...action, value: REDACTED } : action;
}

/** The plan as it may be exported: Secret values in the action, changes, preconditions and checks masked. */
export function publicSpec(spec: PlanSpec): PlanSpec {
  return {
    ...spec,
    action: publicAction(spec.action),
    changes: spec.changes.map((change) =>
      change.type === 'patch' && change.ref.kind === 'Secret'
        ? { ...change, ops: change.ops.map((op) => (op.op === 'remove' ? op : { ...op, value: REDACTED })) }
        : change,
    ),
    preconditions: spec.preconditions.map((precondition) =>
      precondition.ref.kind === 'Secret'
        ? {
            ...precondition,
            fields: precondition.fields.map((field) => (field.absent ? field : { ...field, value: REDACTED })),
          }
        : precondition,
    ),
    verification: spec.verification.map((check) =>
      check.type === 'field' && check.ref.kind === 'Secret' && !check.condition.absent
        ? { ...check, condition: { ...check.condition, value: REDACTED } }
        : check,
    ),
  };
}
