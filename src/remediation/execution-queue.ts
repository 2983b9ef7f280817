import { type ConnectionOptions, Queue, Worker } from 'bullmq';
import { watchQueue } from '../observability/metrics.ts';
import { type ExecutorDeps, executePlan } from './executor.ts';

/** Remediation runs on its own queue, apart from investigations, so its worker can hold the write credentials. */
export const REMEDIATION_QUEUE = 'remediation';

export interface ExecutionJob {
  planId: string;
}

// The job id is the plan id: a plan approved twice is still queued once.
const jobId = (planId: string) => `plan-${planId}`;

export function createExecutionQueue(connection: ConnectionOptions, prefix?: string) {
  const queue = new Queue<ExecutionJob>(REMEDIATION_QUEUE, { connection, ...(prefix ? { prefix } : {}) });
  const unwatch = watchQueue(queue);
  const enqueue = async (planId: string): Promise<void> => {
    await queue.add('execute', { planId }, { jobId: jobId(planId), attempts: 1, removeOnComplete: 1000 });
  };
  return {
    queue,
    enqueue,
    /**
     * Queues an approved plan again unless its job is waiting or running. A job that ended while the plan is still
     * approved never reached the executor's compare-and-set (it failed before it): it is replaced. Returns the
     * state of the job it found (`none`: the approval was never queued), or null when it left the job alone.
     */
    requeue: async (planId: string): Promise<string | null> => {
      const job = await queue.getJob(jobId(planId));
      const state = job ? await job.getState() : 'none';
      if (!['none', 'completed', 'failed', 'unknown'].includes(state)) return null;
      await job?.remove();
      await enqueue(planId);
      return state;
    },
    close: () => {
      unwatch();
      return queue.close();
    },
  };
}

/**
 * The executor worker. No automatic retries: a half-applied plan is never re-run blindly; the
 * compare-and-set in executePlan would skip it anyway.
 */
export function startExecutionWorker(connection: ConnectionOptions, deps: ExecutorDeps, prefix?: string) {
  return new Worker<ExecutionJob>(
    REMEDIATION_QUEUE,
    async (job) => {
      await executePlan(deps, job.data.planId);
    },
    { connection, concurrency: 2, ...(prefix ? { prefix } : {}) },
  );
}
