import type { webApi } from '@slack/bolt';
import type { AuditLog } from '../audit/audit-log.ts';
import type { PrismaClient } from '../generated/prisma/client.ts';
import { rejectReasonView } from '../slack/plan-message.ts';
import type { Approvers } from './approvers.ts';
import { VisibleState } from '../slack/visible-state.ts';
import { findPlan, type PlanWithApprovals, planSpec, recordDecision } from './plan-store.ts';
import { refreshPlanMessage } from './plan-thread.ts';
import { expirePlan } from './sweep.ts';

export interface ApprovalDeps {
  db: PrismaClient;
  audit: AuditLog;
  slack: webApi.WebClient;
  approvers: Approvers;
  /** Queues the plan for the executor; called once, by whoever moved the plan to `approved`. */
  enqueueExecution: (planId: string) => Promise<void>;
  now?: () => Date;
}

/** A click on a plan button, as the Slack listener validated it. */
export interface PlanClick {
  planId: string;
  userId: string;
  channelId: string;
  triggerId?: string;
}

const actor = (userId: string) => `slack:${userId}`;

async function tell(deps: ApprovalDeps, click: PlanClick, text: string): Promise<void> {
  await deps.slack.chat.postEphemeral({ channel: click.channelId, user: click.userId, text });
}

/**
 * The checks every decision passes through. Returns the plan when the click may count; otherwise
 * answers the clicker privately, records why, and returns null.
 */
async function admit(deps: ApprovalDeps, click: PlanClick, action: string): Promise<PlanWithApprovals | null> {
  const plan = await findPlan(deps.db, click.planId);
  if (!plan) {
    await tell(deps, click, 'This plan no longer exists.');
    return null;
  }
  const target = planSpec(plan).summary;
  if (!(await deps.approvers.includes(click.userId))) {
    await deps.audit.record({
      actor: actor(click.userId),
      action: 'plan.decision.refused',
      target: `plan:${plan.id}`,
      incidentId: plan.incidentId,
      justification: 'not an approver',
      details: { attempted: action, plan: target },
    });
    await tell(deps, click, 'You are not an approver for remediation plans, so your click was not counted.');
    return null;
  }
  if (plan.status !== 'proposed') {
    await tell(deps, click, `This plan is already ${plan.status.replace('_', ' ')}; nothing was changed.`);
    return null;
  }
  const now = deps.now?.() ?? new Date();
  if (now >= plan.expiresAt) {
    await expirePlan(deps, plan, now);
    await tell(deps, click, `This plan expired at ${plan.expiresAt.toISOString()}; it was not executed.`);
    return null;
  }
  return plan;
}

/** Approve: count the approval; once enough distinct approvers agree, move to `approved` (once) and queue it. */
export async function approve(deps: ApprovalDeps, click: PlanClick): Promise<void> {
  const plan = await admit(deps, click, 'approve');
  if (!plan) return;
  if (!(await recordDecision(deps.db, plan.id, click.userId, 'approve'))) {
    await tell(deps, click, 'Your decision on this plan is already recorded.');
    return;
  }
  await deps.audit.record({
    actor: actor(click.userId),
    action: 'plan.approval',
    target: `plan:${plan.id}`,
    incidentId: plan.incidentId,
    justification: planSpec(plan).summary,
    details: { risk: plan.risk, requiredApprovals: plan.requiredApprovals },
  });
  const current = await findPlan(deps.db, plan.id);
  const approvers = new Set(current?.approvals.filter((a) => a.decision === 'approve').map((a) => a.userId));
  const enough =
    approvers.size >= plan.requiredApprovals && [...approvers].some((userId) => userId !== plan.requestedBy);
  const now = deps.now?.() ?? new Date();
  const approved =
    enough &&
    (await new VisibleState(deps).movePlan(
      plan,
      'proposed',
      'approved',
      { decidedAt: now },
      {
        actor: 'bot',
        action: 'plan.approved',
        justification: `approved by ${[...approvers].map(actor).join(', ')}`,
        details: { approvers: [...approvers] },
      },
    ));
  if (approved) {
    await deps.enqueueExecution(plan.id);
  } else if (!enough) {
    const missing = plan.requiredApprovals - approvers.size;
    await tell(
      deps,
      click,
      missing > 0
        ? `Approval recorded; ${missing} more approver(s) needed.`
        : 'Approval recorded; an approver other than the requester is still needed.',
    );
  }
  await refreshPlanMessage(deps, plan.id);
}

/** Reject button: ask for an optional reason in a modal (the decision is recorded on submit). */
export async function askRejectReason(deps: ApprovalDeps, click: PlanClick): Promise<void> {
  const plan = await admit(deps, click, 'reject');
  if (!plan || !click.triggerId) return;
  await deps.slack.views.open({
    trigger_id: click.triggerId,
    view: rejectReasonView(plan.id, click.channelId),
  });
}

/** Reject modal submitted: record the decision and close the plan. */
export async function reject(deps: ApprovalDeps, click: PlanClick, reason: string | undefined): Promise<void> {
  const plan = await admit(deps, click, 'reject');
  if (!plan) return;
  await recordDecision(deps.db, plan.id, click.userId, 'reject', reason);
  const now = deps.now?.() ?? new Date();
  // Who rejected is in the plan's decision lines; the reason, typed freely in the modal, is escaped where it is shown.
  const statusReason = reason ? `Rejected: ${reason}` : 'Rejected without a reason';
  await new VisibleState(deps).movePlan(
    plan,
    'proposed',
    'rejected',
    { decidedAt: now, statusReason },
    { actor: actor(click.userId), action: 'plan.rejected', justification: reason ?? 'no reason given' },
  );
  await refreshPlanMessage(deps, plan.id);
}
