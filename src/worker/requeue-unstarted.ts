import type { AuditLog } from '../audit/audit-log.ts';
import type { PrismaClient } from '../generated/prisma/client.ts';
import { investigationJobId, type InvestigationQueue } from '../queue/investigation-queue.ts';
import { poolOf } from '../store/db.ts';

/**
 * How long an accepted incident may wait for its investigation to start before the sweep looks for its job: the door
 * adds the job right after it answers (or before, for a Slack command), unless its process stopped in between. A
 * job that waits behind a burst still exists, and is left alone.
 */
export const REQUEUE_AFTER_MS = 60_000;

/** Incidents accepted before $1 whose investigation never began; answered from Incident(status, updatedAt). */
export const UNSTARTED_INCIDENTS_SQL = `SELECT "id", "round" FROM "Incident"
  WHERE "status" = 'triggered' AND "updatedAt" <= $1::timestamptz AT TIME ZONE 'UTC'
  ORDER BY "updatedAt"`;

export interface RequeueDeps {
  db: PrismaClient;
  audit: AuditLog;
  queue: Pick<InvestigationQueue, 'requeue'>;
}

/**
 * Nothing accepted is lost: an incident still `triggered` (no investigation began: the worker moves it first) a
 * while after it was accepted or reopened, whose round has no job, gets it — once, since the job id is the round's
 * and a job that exists in any state is left alone. The trail says so. Returns how many were queued.
 */
export async function requeueUnstarted(deps: RequeueDeps, now: Date): Promise<number> {
  const { rows } = await poolOf(deps.db).query<{ id: string; round: number }>(UNSTARTED_INCIDENTS_SQL, [
    new Date(now.getTime() - REQUEUE_AFTER_MS).toISOString(),
  ]);
  let queued = 0;
  for (const { id, round } of rows) {
    if (!(await deps.queue.requeue(id, round))) continue;
    queued++;
    await deps.audit.record({
      actor: 'bot',
      action: 'investigation.requeued',
      target: investigationJobId(id, round),
      incidentId: id,
      justification: 'accepted but never queued (the process that accepted it stopped before adding its job)',
      details: { round },
    });
  }
  return queued;
}

/** Runs the sweep now and every `intervalMs` (one round at a time) until the returned stop is called. */
export function startRequeueSweep(
  deps: RequeueDeps,
  onError: (error: unknown) => void,
  intervalMs = REQUEUE_AFTER_MS / 2,
): () => void {
  let sweeping = false;
  const sweep = () => {
    if (sweeping) return;
    sweeping = true;
    requeueUnstarted(deps, new Date())
      .catch(onError)
      .finally(() => {
        sweeping = false;
      });
  };
  sweep();
  const timer = setInterval(sweep, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
