import { type ConnectionOptions, Queue } from 'bullmq';
import { watchQueue } from '../observability/metrics.ts';

export const INVESTIGATION_QUEUE = 'investigations';

export interface InvestigationJob {
  incidentId: string;
}

/**
 * One job per incident, whatever the number of webhooks: BullMQ ignores an add whose job id exists.
 * Completed jobs are kept for a week so a late PagerDuty retry still finds the id. (':' is reserved
 * in BullMQ job ids, hence the '-'.)
 */
export const investigationJobId = (incidentId: string, round = 1): string =>
  round === 1 ? `investigate-${incidentId}` : `investigate-${incidentId}-${round}`;

export interface Enqueued {
  jobId: string;
  /** The round's job had failed for good and was started again (the alert came again). */
  rerun: boolean;
}

/**
 * How long a job keeps retrying (a cluster or Slack outage) before it fails for good: attempts back off
 * exponentially from `firstDelayMs` until their delays add up to `windowMs`.
 */
export interface RetryPolicy {
  windowMs: number;
  firstDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { windowMs: 10 * 60_000, firstDelayMs: 5_000 };

/** Attempts whose exponential delays (first, 2×first, 4×first…) first add up to the window. */
export function attemptsFor(policy: RetryPolicy): number {
  let attempts = 1;
  let waited = 0;
  while (waited < policy.windowMs) {
    waited += policy.firstDelayMs * 2 ** (attempts - 1);
    attempts++;
  }
  return attempts;
}

export interface InvestigationQueue {
  /**
   * Queues the incident's round once; a round whose job failed for good is run again. `opened`: the caller has just
   * opened this round (a new incident, a reopen), so no job of it can exist yet and its state is not asked.
   */
  enqueue(incidentId: string, round?: number, opened?: boolean): Promise<Enqueued>;
  /**
   * Adds the round's job unless it exists, whatever its state: true when it was missing (it was never added, or
   * removed). For the sweep of incidents accepted but never started (requeueUnstarted).
   */
  requeue(incidentId: string, round: number): Promise<boolean>;
  /** Redis round trip, for /readyz. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export function createInvestigationQueue(
  connection: ConnectionOptions,
  prefix?: string,
  retry: RetryPolicy = DEFAULT_RETRY,
): InvestigationQueue {
  const queue = new Queue<InvestigationJob>(INVESTIGATION_QUEUE, { connection, ...(prefix ? { prefix } : {}) });
  const unwatch = watchQueue(queue);
  const add = (incidentId: string, jobId: string) =>
    queue.add(
      'investigate',
      { incidentId },
      {
        jobId,
        attempts: attemptsFor(retry),
        backoff: { type: 'exponential', delay: retry.firstDelayMs },
        removeOnComplete: { age: 7 * 24 * 3600 },
        removeOnFail: { age: 30 * 24 * 3600 },
      },
    );
  return {
    async enqueue(incidentId, round = 1, opened = false) {
      const jobId = investigationJobId(incidentId, round);
      const job = await add(incidentId, jobId);
      // An add whose id exists returns that job untouched; if it failed for good, the alert's return runs it again.
      if (opened || (await job.getState()) !== 'failed') return { jobId, rerun: false };
      try {
        await job.retry('failed', { resetAttemptsMade: true, resetAttemptsStarted: true });
        return { jobId, rerun: true };
      } catch {
        // A concurrent copy of the same alert moved it first.
        return { jobId, rerun: false };
      }
    },
    async requeue(incidentId, round) {
      const jobId = investigationJobId(incidentId, round);
      if (await queue.getJob(jobId)) return false;
      // Added meanwhile by its door (a retry, a late add): the same id, so nothing changes.
      await add(incidentId, jobId);
      return true;
    },
    async ping() {
      await (await queue.backend.client).runCommand('ping', []);
    },
    close: () => {
      unwatch();
      return queue.close();
    },
  };
}
