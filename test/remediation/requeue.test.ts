import assert from 'node:assert/strict';
import { afterEach, beforeEach, test } from 'node:test';
import { Queue } from 'bullmq';
import { REMEDIATION_QUEUE } from '../../src/remediation/execution-queue.ts';
import { transition } from '../../src/remediation/plan-store.ts';
import { startStack, type Stack } from './harness.ts';

const undo = { type: 'rollout-undo', namespace: 'shop', name: 'api', toRevision: 1 } as const;

let stack: Stack;
let jobs: Queue;
beforeEach(async () => {
  // No executor yet: each test starts one once the database holds the state it is about.
  stack = await startStack({ executor: false });
  jobs = new Queue(REMEDIATION_QUEUE, { connection: { host: '127.0.0.1', port: 6379 }, prefix: stack.prefix });
});
afterEach(async () => {
  await jobs.obliterate({ force: true });
  await jobs.close();
  await stack.close();
});

const count = (actions: string[], action: string) => actions.filter((name) => name === action).length;

test('a plan approved just before the web process died, never queued, is queued by the sweep and executed once', async () => {
  const planId = await stack.propose(undo);
  // What a web process leaves when it dies between the approval's compare-and-set and the enqueue: the plan
  // approved (a while ago), its approval recorded, no job.
  await stack.db.approval.create({ data: { planId, userId: 'UALICE', decision: 'approve' } });
  await transition(stack.db, planId, 'proposed', 'approved', { decidedAt: new Date(Date.now() - 60_000) });
  assert.equal(await jobs.count(), 0);

  stack.startExecutor();
  const plan = await stack.settled(planId);
  assert.equal(plan.status, 'succeeded', plan.statusReason ?? '');
  const actions = await stack.auditActions();
  assert.equal(count(actions, 'plan.requeued'), 1, actions.join(' '));
  assert.equal(count(actions, 'plan.execution.started'), 1, actions.join(' '));
  // The sweep kept running (every 200 ms) while the job waited and ran: it queued it once, executed once.
  const { applied } = await stack.executorWrites();
  assert.equal(applied.length, 1, JSON.stringify(applied.map((write) => write.path)));
});

test('an approved plan whose job is already waiting is not queued again', async () => {
  const planId = await stack.propose(undo);
  assert.equal(await stack.click(planId, 'UALICE', 'approve'), 200);
  assert.equal((await stack.plan(planId)).status, 'approved');
  assert.equal(await jobs.count(), 1);
  // Old enough for the sweep to look at it: its job is waiting for an executor, so it is left alone.
  await stack.db.plan.update({ where: { id: planId }, data: { decidedAt: new Date(Date.now() - 60_000) } });

  stack.startExecutor();
  const plan = await stack.settled(planId);
  assert.equal(plan.status, 'succeeded', plan.statusReason ?? '');
  const actions = await stack.auditActions();
  assert.equal(count(actions, 'plan.requeued'), 0, actions.join(' '));
  assert.equal(count(actions, 'plan.execution.started'), 1);
});
