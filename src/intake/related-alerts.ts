import { AlertSchema } from '../alert/alert.ts';
import { AnswerPathSchema, explainAlert } from '../alert/explained.ts';
import type { AuditLog } from '../audit/audit-log.ts';
import type { PrismaClient } from '../generated/prisma/client.ts';
import { type InvestigationQueue, investigationJobId } from '../queue/investigation-queue.ts';
import type { VisibleState } from '../slack/visible-state.ts';
import { pendingRelatedAlerts } from '../store/incidents.ts';

export interface ReconsiderDeps {
  db: PrismaClient;
  audit: AuditLog;
  queue: InvestigationQueue;
  /** The new round is a visible change (status, audit event, root message): VisibleState makes it. */
  rounds?: Pick<VisibleState, 'investigateAgain'>;
  showRelatedAlerts?(incidentId: string): void;
}

// Firing related alerts not checked yet, or found unexplained and still waiting for a round of their own (as
// pendingRelatedAlerts reads them).
const PENDING = {
  primary: false,
  status: 'firing',
  OR: [{ explained: null }, { explained: false, startedRound: null }],
};

/**
 * Checks the related alerts of an answered incident against its answer (src/alert/explained.ts): an alert on the
 * answer's path is explained and stays a line in the thread; the first one that is not starts a new round of the
 * incident, for that alert, in the same thread — one round at a time: the others wait and are checked again against
 * the next answer, which may explain them. Called when an alert joins (intake) and when an answer is posted (worker);
 * both may run at once: each verdict is a compare-and-set, and so is the new round.
 */
export async function reconsiderRelatedAlerts(deps: ReconsiderDeps, incidentId: string): Promise<void> {
  const { db, rounds } = deps;
  if (!rounds) return;
  // First what to check: most incidents have no related alert, and then nothing more is read.
  const pending = await pendingRelatedAlerts(db, incidentId);
  if (pending.length === 0) return;
  const incident = await db.incident.findUnique({ where: { id: incidentId } });
  // Only an answered incident has an answer to check against; a resolved one has nothing left to investigate.
  if (incident?.status !== 'diagnosed') return;
  const investigation = await db.investigation.findUnique({
    where: { jobId: investigationJobId(incident.id, incident.round) },
  });
  const answer = AnswerPathSchema.safeParse(investigation?.result);
  if (investigation?.status !== 'done' || !answer.success) return;
  const unexplained: { id: string; title: string; reason: string }[] = [];
  for (const alert of pending) {
    const parsed = AlertSchema.safeParse(alert.alert);
    const verdict = parsed.success
      ? explainAlert(answer.data, parsed.data)
      : { explained: false, reason: 'its stored alert could not be read back' };
    const { count } = await db.incidentAlert.updateMany({
      where: { id: alert.id, ...PENDING },
      data: { explained: verdict.explained, explanation: verdict.reason },
    });
    if (count === 1 && !verdict.explained)
      unexplained.push({ id: alert.id, title: alert.title, reason: verdict.reason });
  }
  deps.showRelatedAlerts?.(incidentId);
  const first = unexplained[0];
  if (!first) return;
  const reason = `related alert "${first.title}" not explained by the answer of round ${incident.round}: ${first.reason}`;
  const next = await rounds.investigateAgain(incidentId, incident.round, first.id, reason);
  if (!next) return;
  const { jobId } = await deps.queue.enqueue(next.id, next.round, true);
  await deps.audit.record({
    actor: 'bot',
    action: 'investigation.queued',
    target: jobId,
    incidentId,
    justification: reason,
    details: { round: next.round, alertId: first.id },
  });
}
