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

/** Plans past their TTL lose their buttons (a dead executor's plan is recovered by the executor: recoverAbandonedPlans). */
export async function sweepPlans(deps: SweepDeps): Promise<void> {
  const now = deps.now?.() ?? new Date();
  const overdue = await deps.db.plan.findMany({ where: { status: 'proposed', expiresAt: { lte: now } } });
  for (const plan of overdue) await expirePlan(deps, plan, now).catch(() => undefined);
}
