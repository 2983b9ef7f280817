import { createHash } from 'node:crypto';
import type { webApi } from '@slack/bolt';
import type { AuditLog } from '../audit/audit-log.ts';
import type { PrismaClient } from '../generated/prisma/client.ts';
import type { RemediationProposal } from '../investigation/model.ts';
import { PlanError } from './changes.ts';
import type { KubeObjects } from './kube-objects.ts';
import { derivePlan } from './plan.ts';
import { createPlan } from './plan-store.ts';
import { publicAction } from './redact.ts';
import { postPlanMessage, replyInThread } from './plan-thread.ts';

export interface ProposeDeps {
  db: PrismaClient;
  audit: AuditLog;
  slack: webApi.WebClient;
  /** Plans only read the cluster: the investigator's read-only credentials are enough. */
  kube: KubeObjects;
  ttlMinutes: number;
}

export interface ProposeInput {
  incidentId: string;
  /** The cluster the plan changes (its incident's); null: the zero-config single cluster. */
  cluster?: string | null;
  proposal: RemediationProposal;
  /** Slack user who asked for the diagnosis (they cannot be a plan's only approver). */
  requestedBy?: string | null;
  slackChannel: string;
  slackThreadTs?: string | null;
  /** What the proposal answers (default: the investigation's answer; a stale plan's id for its re-proposal). */
  origin?: string;
}

export type ProposeResult = { planId: string } | { refused: string };

/**
 * Turns the investigation's proposal into a persisted plan and posts it, with its buttons, in the
 * incident thread. A proposal that does not fit the live cluster is explained in the thread instead.
 */
export async function proposePlan(deps: ProposeDeps, input: ProposeInput): Promise<ProposeResult> {
  let spec: Awaited<ReturnType<typeof derivePlan>>;
  try {
    spec = await derivePlan(input.proposal.action, input.proposal.summary, deps.kube);
  } catch (error) {
    if (!(error instanceof PlanError)) throw error;
    await deps.audit.record({
      actor: 'bot',
      action: 'plan.not_proposed',
      incidentId: input.incidentId,
      justification: error.message,
      details: { action: publicAction(input.proposal.action) },
    });
    const digest = createHash('sha256').update(JSON.stringify(input.proposal.action)).digest('hex').slice(0, 16);
    await replyInThread(
      deps,
      input,
      `not-proposed:${input.origin ?? 'answer'}:${digest}`,
      `No remediation plan: ${input.proposal.summary} cannot be applied as is (${error.message}).`,
    );
    return { refused: error.message };
  }
  const plan = await createPlan(deps.db, { ...input, spec, ttlMinutes: deps.ttlMinutes });
  await deps.audit.record({
    actor: 'bot',
    action: 'plan.proposed',
    target: `plan:${plan.id}`,
    incidentId: input.incidentId,
    justification: spec.summary,
    details: {
      action: publicAction(spec.action),
      ...(input.cluster ? { cluster: input.cluster } : {}),
      risk: spec.risk,
      requiredApprovals: plan.requiredApprovals,
      diff: spec.diff,
      preconditions: spec.preconditions.map(({ ref, uid, generation, resourceVersion }) => ({
        ref,
        uid,
        generation,
        resourceVersion,
      })),
      expiresAt: plan.expiresAt.toISOString(),
    },
  });
  await postPlanMessage(deps, plan.id);
  return { planId: plan.id };
}
