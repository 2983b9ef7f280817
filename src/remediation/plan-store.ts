import {
  type Approval,
  type ApprovalDecision,
  type Plan,
  type PlanStatus,
  Prisma,
  type PrismaClient,
} from '../generated/prisma/client.ts';
import { storable } from '../redaction/policy.ts';
import { type PlanSpec, PlanSpecSchema } from './plan-spec.ts';
import { asJsonColumn, parseStored } from '../store/stored-json.ts';
import { planMoved } from '../observability/metrics.ts';

export type PlanWithApprovals = Plan & { approvals: Approval[] };

export const requiredApprovalsFor = (risk: PlanSpec['risk']): number => (risk === 'high' ? 2 : 1);

export interface NewPlan {
  incidentId: string;
  /** The cluster the plan changes; null: the zero-config single cluster. */
  cluster?: string | null;
  spec: PlanSpec;
  requestedBy?: string | null;
  ttlMinutes: number;
  slackChannel?: string | null;
  slackThreadTs?: string | null;
  now?: Date;
}

export async function createPlan(db: PrismaClient, input: NewPlan): Promise<Plan> {
  const now = input.now ?? new Date();
  // What people read (summary, reasons, the diff) is masked; what the executor applies and checks stays exact.
  const { summary, riskReason, rollback, diff } = storable({
    summary: input.spec.summary,
    riskReason: input.spec.riskReason,
    rollback: input.spec.rollback,
    diff: input.spec.diff,
  });
  return db.plan.create({
    data: {
      incidentId: input.incidentId,
      cluster: input.cluster ?? null,
      risk: input.spec.risk,
      summary,
      action: asJsonColumn(input.spec.action),
      spec: asJsonColumn({ ...input.spec, summary, riskReason, rollback, diff }),
      requestedBy: input.requestedBy ?? null,
      requiredApprovals: requiredApprovalsFor(input.spec.risk),
      slackChannel: input.slackChannel ?? null,
      slackThreadTs: input.slackThreadTs ?? null,
      createdAt: now,
      expiresAt: new Date(now.getTime() + input.ttlMinutes * 60_000),
    },
  });
}

export const planSpec = (plan: Pick<Plan, 'id' | 'spec'>): PlanSpec =>
  parseStored(PlanSpecSchema, plan.spec, `plan ${plan.id}: its spec`);

export function findPlan(db: PrismaClient, id: string): Promise<PlanWithApprovals | null> {
  return db.plan.findUnique({ where: { id }, include: { approvals: { orderBy: { createdAt: 'asc' } } } });
}

/**
 * Compare-and-set on the status column: exactly one caller moves a plan out of `from`, however many
 * click, retry or run at once. Returns whether this caller made the move.
 */
export async function transition(
  db: PrismaClient,
  id: string,
  from: PlanStatus,
  to: PlanStatus,
  data: Omit<Prisma.PlanUpdateManyMutationInput, 'status'> = {},
): Promise<boolean> {
  const { count } = await db.plan.updateMany({ where: { id, status: from }, data: { ...data, status: to } });
  if (count === 1) planMoved(from, to);
  return count === 1;
}

/** Records one person's decision; a second click by the same person changes nothing and returns false. */
export async function recordDecision(
  db: PrismaClient,
  planId: string,
  userId: string,
  decision: ApprovalDecision,
  reason?: string,
): Promise<boolean> {
  try {
    await db.approval.create({ data: { planId, userId, decision, reason: reason ?? null } });
    return true;
  } catch (error) {
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') return false;
    throw error;
  }
}

export function saveMessage(db: PrismaClient, id: string, slackChannel: string, slackTs: string): Promise<Plan> {
  return db.plan.update({ where: { id }, data: { slackChannel, slackTs } });
}

/** A new version for each message update, so every update gets fresh block_ids as Slack asks. */
export async function nextMessageVersion(db: PrismaClient, id: string): Promise<number> {
  const plan = await db.plan.update({ where: { id }, data: { messageVersion: { increment: 1 } } });
  return plan.messageVersion;
}
