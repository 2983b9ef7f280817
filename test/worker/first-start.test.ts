import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, test } from 'node:test';
import { type Job, Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { firstStart } from '../../src/worker/investigation-worker.ts';
import { until } from '../support/until.ts';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = `ibtest-${randomBytes(5).toString('hex')}`;
const connection = { url: REDIS_URL, maxRetriesPerRequest: null };
const queue = new Queue('first-start', { connection, prefix });
const workers: Worker[] = [];

after(async () => {
  for (const worker of workers) await worker.close(true);
  await queue.obliterate({ force: true });
  await queue.close();
  const redis = new Redis(REDIS_URL);
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
});

/** Each start of a job as its processor saw it: whether it is the first, and BullMQ's attemptsMade then. */
type Start = { first: boolean; attemptsMade: number };

function worker(processor: (job: Job, starts: Start[]) => Promise<void>, starts: Start[], lockDuration = 10_000) {
  const started = new Worker(
    'first-start',
    async (job) => {
      starts.push({ first: firstStart(job), attemptsMade: job.attemptsMade });
      await processor(job, starts);
    },
    { connection, prefix, lockDuration, stalledInterval: 300, maxStalledCount: 2 },
  );
  workers.push(started);
  return started;
}

test('a job retried after a failure: only its first start is a first start', async () => {
  const starts: Start[] = [];
  const retried = worker(async (_job, seen) => {
    if (seen.length === 1) throw new Error('the first attempt fails');
  }, starts);
  await queue.add('retried', {}, { jobId: 'job-retried', attempts: 2, backoff: { type: 'fixed', delay: 50 } });
  await until('the retry to complete', async () => (await queue.getJobState('job-retried')) === 'completed');
  await retried.close();
  assert.deepEqual(starts, [
    { first: true, attemptsMade: 0 },
    { first: false, attemptsMade: 1 },
  ]);
});

test('a job restarted after its worker died (stalled): attemptsMade is still 0, and it is not a first start', async () => {
  const starts: Start[] = [];
  // The first worker takes the job and dies with it (closed without finishing it or renewing its lock).
  const dying = worker(() => new Promise<void>(() => undefined), starts, 500);
  await queue.add('stalled', {}, { jobId: 'job-stalled', attempts: 1 });
  await until('the first worker to take the job', async () => starts.length === 1);
  await dying.close(true);
  // Another worker finds it stalled once its lock lapses, and runs it again.
  worker(async () => undefined, starts, 500);
  await until(
    'the job to complete on the other worker',
    async () => (await queue.getJobState('job-stalled')) === 'completed',
  );
  assert.deepEqual(starts, [
    { first: true, attemptsMade: 0 },
    { first: false, attemptsMade: 0 },
  ]);
});
