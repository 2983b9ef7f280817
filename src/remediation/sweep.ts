import type { webApi } from '@slack/bolt';
import type { AuditLog } from '../audit/audit-log.ts';
import type { PrismaClient } from '../generated/prisma/client.ts';
import { transition } from './plan-store.ts';
import { refreshPlanMessage, replyInThread } from './plan-thread.ts';

export interface SweepDeps {
  db: PrismaClient;
  audit: AuditLog;
  slack: webApi.WebClient;
  /** A plan still `executing` after this long lost its executor (verification time plus a margin). */
  executionDeadlineMs: number;
  now?: () => Date;
}

/**
 * Moves a proposed plan past its TTL to `expired` (once, whoever gets there first: a click or the sweep),
 * records it and takes the buttons off its message.
 */
export async function expirePlan(
  deps: Pick<SweepDeps, 'db' | 'audit' | 'slack'>,
  plan: { id: string; incidentId: string; expiresAt: Date },
  now: Date,
): Promise<void> {
  const reason = `Expired at ${plan.expiresAt.toISOString()} before enough approvals; run the diagnosis again for a fresh plan.`;
  if (!(await transition(deps.db, plan.id, 'proposed', 'expired', { statusReason: reason, decidedAt: now }))) return;
  await deps.audit.record({
    actor: 'bot',
    action: 'plan.expired',
    target: `plan:${plan.id}`,
    incidentId: plan.incidentId,
    justification: reason,
  });
  await refreshPlanMessage(deps.db, deps.slack, plan.id);
}

/**
 * Closes what nobody will close otherwise: plans past their TTL lose their buttons, and plans whose
 * executor died mid-run are marked failed with a call for a human — the cluster may hold part of the
 * change, so nothing is re-applied or rolled back blindly (the snapshot stays on the plan).
 */
export async function sweepPlans(deps: SweepDeps): Promise<void> {
  const now = deps.now?.() ?? new Date();
  const overdue = await deps.db.plan.findMany({ where: { status: 'proposed', expiresAt: { lte: now } } });
  for (const plan of overdue) await expirePlan(deps, plan, now).catch(() => undefined);

  const abandoned = await deps.db.plan.findMany({
    where: { status: 'executing', startedAt: { lte: new Date(now.getTime() - deps.executionDeadlineMs) } },
  });
  for (const plan of abandoned) {
    const reason =
      'The executor stopped while running this plan; the cluster may hold part of the change. Check the objects by hand (the snapshot taken before applying is kept on the plan).';
    if (!(await transition(deps.db, plan.id, 'executing', 'failed', { statusReason: reason, finishedAt: now })))
      continue;
    await deps.audit.record({
      actor: 'executor',
      action: 'plan.abandoned',
      target: `plan:${plan.id}`,
      incidentId: plan.incidentId,
      justification: reason,
    });
    await replyInThread(deps.slack, plan, `:rotating_light: ${reason}`).catch(() => undefined);
    await refreshPlanMessage(deps.db, deps.slack, plan.id).catch(() => undefined);
  }
}
