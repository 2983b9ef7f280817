import { type ConnectionOptions, Queue } from 'bullmq';

export const INVESTIGATION_QUEUE = 'investigations';

export interface InvestigationJob {
  incidentId: string;
}

/**
 * One job per incident, whatever the number of webhooks: BullMQ ignores an add whose job id exists.
 * Completed jobs are kept for a week so a late PagerDuty retry still finds the id. (':' is reserved
 * in BullMQ job ids, hence the '-'.)
 */
export const investigationJobId = (incidentId: string): string => `investigate-${incidentId}`;

export interface InvestigationQueue {
  enqueue(incidentId: string): Promise<string>;
  /** Redis round trip, for /readyz. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export function createInvestigationQueue(connection: ConnectionOptions, prefix?: string): InvestigationQueue {
  const queue = new Queue<InvestigationJob>(INVESTIGATION_QUEUE, { connection, ...(prefix ? { prefix } : {}) });
  return {
    async enqueue(incidentId) {
      const jobId = investigationJobId(incidentId);
      await queue.add(
        'investigate',
        { incidentId },
        {
          jobId,
          attempts: 3,
          backoff: { type: 'exponential', delay: 5_000 },
          removeOnComplete: { age: 7 * 24 * 3600 },
          removeOnFail: { age: 30 * 24 * 3600 },
        },
      );
      return jobId;
    },
    async ping() {
      await (await queue.backend.client).runCommand('ping', []);
    },
    close: () => queue.close(),
  };
}
