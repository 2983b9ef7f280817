import type { webApi } from '@slack/bolt';
import type { AuditLog } from '../audit/audit-log.ts';
import type { PrismaClient } from '../generated/prisma/client.ts';
import { VisibleState } from '../slack/visible-state.ts';
import { refreshPlanMessage } from './plan-thread.ts';

export interface SweepDeps {
  db: PrismaClient;
  audit: AuditLog;
  slack: webApi.WebClient;
  now?: () => Date;
}

/**
 * Moves a proposed plan past its TTL to `expired` (once, whoever gets there first: a click or the sweep),
 * records it and takes the buttons off its message.
 */
export async function expirePlan(
  deps: Pick<SweepDeps, 'db' | 'audit' | 'slack'>,
  plan: { id: string; incidentId: string; expiresAt: Date; slackChannel: string | null; slackThreadTs: string | null },
  now: Date,
): Promise<void> {
  const reason = `Expired at ${plan.expiresAt.toISOString()} before enough approvals; run the diagnosis again for a fresh plan.`;
  await new VisibleState(deps).movePlan(
    plan,
    'proposed',
    'expired',
    { statusReason: reason, decidedAt: now },
    { actor: 'bot', action: 'plan.expired', justification: reason },
    { refresh: () => refreshPlanMessage(deps, plan.id) },
  );
}

/**
 * How long an approved plan may wait for its job before the sweep queues it: the approver's web process queues it
 * within milliseconds of the approval, unless it died in between.
 */
export const REQUEUE_AFTER_MS = 10_000;

/**
 * Approved plans whose approval never reached the queue (the web process died between the compare-and-set and the
 * enqueue) are queued, once: the job id is the plan's, and the executor's compare-and-set out of `approved` runs
 * each plan at most once whoever queued it.
 */
export async function requeueApprovedPlans(
  deps: Pick<SweepDeps, 'db' | 'audit'> & { requeue: (planId: string) => Promise<string | null> },
  now: Date,
): Promise<void> {
  const waiting = await deps.db.plan.findMany({
    where: { status: 'approved', decidedAt: { lte: new Date(now.getTime() - REQUEUE_AFTER_MS) } },
  });
  for (const plan of waiting) {
    const found = await deps.requeue(plan.id);
    if (found === null) continue;
    await deps.audit.record({
      actor: 'bot',
      action: 'plan.requeued',
      target: `plan:${plan.id}`,
      incidentId: plan.incidentId,
      justification:
        found === 'none'
          ? 'approved but never queued (the approving process stopped before queuing it)'
          : `approved, and its job ${found} without starting it`,
      details: { planId: plan.id, approvedAt: plan.decidedAt?.toISOString() ?? null, job: found },
    });
  }
}

/** Plans past their TTL lose their buttons (a dead executor's plan is recovered by the executor: recoverAbandonedPlans). */
export async function sweepPlans(deps: SweepDeps): Promise<void> {
  const now = deps.now?.() ?? new Date();
  const overdue = await deps.db.plan.findMany({ where: { status: 'proposed', expiresAt: { lte: now } } });
  for (const plan of overdue) await expirePlan(deps, plan, now).catch(() => undefined);
}
