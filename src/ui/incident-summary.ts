import type { Incident, Investigation, Plan } from '../generated/prisma/client.ts';
import { StoredResultSchema } from '../store/stored-result.ts';
import { entityLabel } from '../investigation/model.ts';
import { z } from 'zod';

/** Plan statuses after which the cluster was (or may have been) written to. */
export const EXECUTED_PLAN_STATUSES = ['executing', 'succeeded', 'failed', 'rolled_back'] as const;

const AlertLabelsSchema = z.object({ labels: z.record(z.string(), z.string()).catch({}) }).catch({ labels: {} });

/** One incident as the list shows it: what broke, how fast the bot answered, how it ended. */
export interface IncidentSummary {
  id: string;
  title: string;
  source: string;
  status: Incident['status'];
  createdAt: Date;
  cluster: string | null;
  namespace: string | null;
  rootCause: string | null;
  faultType: string | null;
  confidence: number | null;
  answer: string | null;
  /** From the alert's arrival to the bot's first answer; null while unanswered. */
  timeToAnswerMs: number | null;
  changeExecuted: boolean;
  outcome: string;
}

const PLAN_OUTCOMES: Record<Plan['status'], string> = {
  succeeded: 'change applied and verified',
  rolled_back: 'change rolled back',
  failed: 'change failed',
  executing: 'change running',
  approved: 'change approved, not yet run',
  proposed: 'awaiting approval',
  rejected: 'plan rejected',
  expired: 'plan expired',
  stale: 'plan stale (the cluster changed)',
};

/** Pure: the summary of an incident from its rows (investigations and plans in creation order). */
export function summarise(
  incident: Incident,
  investigations: Pick<Investigation, 'status' | 'result' | 'finishedAt'>[],
  plans: Pick<Plan, 'status'>[],
): IncidentSummary {
  const answered = investigations.filter((investigation) => investigation.status === 'done');
  const latest = answered.at(-1);
  const result = latest ? StoredResultSchema.safeParse(latest.result) : undefined;
  const answer = result?.success ? result.data : null;
  const labels = AlertLabelsSchema.parse(incident.alert).labels;
  const firstAnswerAt = answered[0]?.finishedAt;
  const lastPlan = plans.at(-1);
  const plan = lastPlan ? PLAN_OUTCOMES[lastPlan.status] : answer ? 'no change proposed' : 'not answered';
  return {
    id: incident.id,
    title: incident.title,
    source: incident.source,
    status: incident.status,
    createdAt: incident.createdAt,
    cluster: incident.cluster ?? labels.cluster ?? null,
    namespace: answer?.rootCause?.namespace ?? labels.namespace ?? null,
    rootCause: answer?.rootCause ? entityLabel(answer.rootCause) : null,
    faultType: answer?.faultType ?? null,
    confidence: answer?.confidence ?? null,
    answer: answer?.summary ?? null,
    timeToAnswerMs: firstAnswerAt ? firstAnswerAt.getTime() - incident.createdAt.getTime() : null,
    changeExecuted: plans.some((p) => (EXECUTED_PLAN_STATUSES as readonly string[]).includes(p.status)),
    outcome: incident.status === 'resolved' ? `${plan} · resolved` : plan,
  };
}
