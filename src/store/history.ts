import type { PrismaClient } from '../generated/prisma/client.ts';
import { type EntityRef, type InvestigationResult, refKey } from '../investigation/model.ts';
import { StoredResultSchema } from './stored-result.ts';

/** How far back "Seen before" looks. */
export const HISTORY_DAYS = 90;
const MAX_SHOWN = 5;

const WORKLOAD_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'CronJob', 'Job', 'ReplicaSet']);

/**
 * The workload an answer is about: the one nearest the symptom on the top hypothesis' path (root first), else
 * the root cause itself when it is one. Two incidents with the same fault type on it are the same trouble again.
 */
export function workloadOf(result: {
  rootCause: EntityRef | null;
  hypotheses: Pick<InvestigationResult['hypotheses'][number], 'path'>[];
}): EntityRef | null {
  const path = result.hypotheses[0]?.path ?? [];
  const onPath = [...path].reverse().find((ref) => WORKLOAD_KINDS.has(ref.kind));
  if (onPath) return onPath;
  return result.rootCause && WORKLOAD_KINDS.has(result.rootCause.kind) ? result.rootCause : null;
}

export type Outcome =
  | 'plan executed'
  | 'rolled back'
  | 'rejected'
  | 'plan failed'
  | 'plan expired'
  | 'plan pending'
  | 'none';

export interface EarlierIncident {
  incidentId: string;
  title: string;
  at: Date;
  slackChannel: string | null;
  slackThreadTs: string | null;
  /** Why it is listed. */
  match: 'same root cause' | 'same fault on the same workload';
  rootCause: EntityRef | null;
  faultType: string | null;
  outcome: Outcome;
  resolved: boolean;
}

const OUTCOMES: Record<string, Outcome> = {
  succeeded: 'plan executed',
  rolled_back: 'rolled back',
  rejected: 'rejected',
  failed: 'plan failed',
  expired: 'plan expired',
  stale: 'plan expired',
  proposed: 'plan pending',
  approved: 'plan pending',
  executing: 'plan pending',
};

/**
 * Earlier incidents of the same cluster (answered in the last 90 days, newest first) whose answer named the same root-cause entity,
 * or the same fault type on the same workload, with how each ended (its last plan's fate). The candidates are
 * narrowed in Postgres (same root cause or same fault type), the workload compared here.
 */
export async function seenBefore(
  db: PrismaClient,
  incidentId: string,
  result: Pick<InvestigationResult, 'rootCause' | 'faultType' | 'hypotheses'>,
  now: Date,
): Promise<EarlierIncident[]> {
  if (!result.rootCause && !result.faultType) return [];
  const since = new Date(now.getTime() - HISTORY_DAYS * 86_400_000);
  const workload = workloadOf(result);
  const rows = await db.$queryRaw<
    {
      incidentId: string;
      title: string;
      at: Date;
      slackChannel: string | null;
      slackThreadTs: string | null;
      status: string;
      result: unknown;
    }[]
  >`
    SELECT DISTINCT ON (i."id") i."id" AS "incidentId", i."title", i."createdAt" AS "at", i."slackChannel",
           i."slackThreadTs", i."status"::text AS "status", v."result"
    FROM "Investigation" v JOIN "Incident" i ON i."id" = v."incidentId"
    WHERE v."status" = 'done' AND v."finishedAt" >= ${since} AND v."incidentId" <> ${incidentId}
      -- The same name in another cluster is another object.
      AND i."cluster" IS NOT DISTINCT FROM (SELECT "cluster" FROM "Incident" WHERE "id" = ${incidentId})
      AND (v."result"->'rootCause' = ${JSON.stringify(result.rootCause)}::jsonb
           OR v."result"->>'faultType' = ${result.faultType})
    ORDER BY i."id", v."finishedAt" DESC
    LIMIT 200`;
  const matches: Omit<EarlierIncident, 'outcome'>[] = [];
  for (const row of rows) {
    const earlier = StoredResultSchema.safeParse(row.result);
    if (!earlier.success) continue;
    const sameCause =
      result.rootCause !== null &&
      earlier.data.rootCause !== null &&
      refKey(earlier.data.rootCause) === refKey(result.rootCause);
    const earlierWorkload = workloadOf({
      rootCause: earlier.data.rootCause,
      hypotheses: earlier.data.hypotheses,
    });
    const sameFault =
      result.faultType !== null &&
      earlier.data.faultType === result.faultType &&
      workload !== null &&
      earlierWorkload !== null &&
      refKey(workload) === refKey(earlierWorkload);
    if (!sameCause && !sameFault) continue;
    matches.push({
      incidentId: row.incidentId,
      title: row.title,
      at: row.at,
      slackChannel: row.slackChannel,
      slackThreadTs: row.slackThreadTs,
      match: sameCause ? 'same root cause' : 'same fault on the same workload',
      rootCause: earlier.data.rootCause,
      faultType: earlier.data.faultType,
      resolved: row.status === 'resolved',
    });
  }
  const shown = matches.sort((a, b) => b.at.getTime() - a.at.getTime()).slice(0, MAX_SHOWN);
  const plans = await db.plan.findMany({
    where: { incidentId: { in: shown.map((earlier) => earlier.incidentId) } },
    orderBy: { createdAt: 'asc' },
    select: { incidentId: true, status: true },
  });
  const lastPlan = new Map(plans.map((plan) => [plan.incidentId, plan.status]));
  return shown.map((earlier) => {
    const status = lastPlan.get(earlier.incidentId);
    return { ...earlier, outcome: status ? (OUTCOMES[status] ?? 'none') : 'none' };
  });
}
