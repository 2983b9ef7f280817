import type { PlanStatus } from '../generated/prisma/client.ts';

/**
 * Every action the bot writes to the audit trail, in one style: `<subject>.<event>[.<outcome>]`, lowercase,
 * words joined by `_` (as the plan statuses and tool names they embed are). Add a new action here first: the
 * type then accepts it everywhere, and the naming test checks its spelling. Rows already stored keep the name
 * they were written with (the chain's hashes cover it).
 */
export const AUDIT_ACTIONS = [
  // intake
  'webhook.accepted',
  'webhook.refused',
  'incident.opened',
  'incident.reopened',
  'incident.alert_joined',
  'incident.alert_refired',
  'incident.round',
  'incident.status',
  'incident.notify.failed',
  'investigation.queued',
  'investigation.queue_failed',
  'investigation.requeued',
  // investigation (the worker, the engine, the optional agent)
  'investigation.started',
  'investigation.already_answered',
  'investigation.detector_failed',
  'investigation.diagnosis_failed',
  'investigation.decided',
  'investigation.hypothesis',
  'investigation.finished',
  'investigation.failed',
  'agent.model_call',
  'agent.tool_call',
  'agent.answer_accepted',
  'agent.answer_refused',
  'agent.finished',
  // Slack
  'slack.posted',
  'slack.updated',
  // after the answer: history, the timeline draft, PagerDuty write-back
  'history.failed',
  'timeline.requested',
  'pagerduty.note.added',
  'pagerduty.note.failed',
  'pagerduty.update.requested',
  'pagerduty.update.refused',
  'pagerduty.update.failed',
  'pagerduty.acknowledged',
  'pagerduty.resolved',
  // plans: proposal, decisions, execution
  'plan.proposed',
  'plan.not_proposed',
  'plan.proposal.failed',
  'plan.approval',
  'plan.approved',
  'plan.requeued',
  'plan.rejected',
  'plan.decision.refused',
  'plan.expired',
  'plan.notify.failed',
  'plan.execution.started',
  'plan.execution.recovering',
  'plan.dry_run',
  'plan.snapshot',
  'plan.apply',
  'plan.apply.failed',
  'plan.verify.passed',
  'plan.verify.failed',
  'plan.rollback',
  'plan.rollback.failed',
  'plan.rollback.verified',
  'plan.rollback.unverified',
  'plan.recovery',
  'plan.recovery.state',
  // the auditor's read-only pages (/ui): who signed in, who looked at what
  'ui.signed_in',
  'ui.signed_out',
  'ui.refused',
  'ui.viewed',
  'ui.downloaded',
] as const;

export type AuditAction =
  | (typeof AUDIT_ACTIONS)[number]
  /** One read-only tool call, named by the tool (`tool.get_object`). */
  | `tool.${string}`
  /** The plan's final status, set by the executor (`plan.succeeded`, `plan.rolled_back`…). */
  | `plan.${PlanStatus}`;

/** The spelling every action follows; the naming test holds the list above to it. */
export const AUDIT_ACTION_STYLE = /^[a-z][a-z_]*(\.[a-z][a-z_]*)+$/;
