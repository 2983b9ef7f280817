import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { toKubeconfigYaml } from '../../src/simulation/kubeconfig.ts';
import { GateProxy } from '../support/gate-proxy.ts';
import { startRole } from '../support/run-cli.ts';
import { until } from '../support/until.ts';
import { CHANNEL, type Stack, startStack, THREAD_TS } from './harness.ts';

const undo = { type: 'rollout-undo', namespace: 'shop', name: 'api', toRevision: 1 } as const;

let stack: Stack;
let gate: GateProxy;
let dir: string;
let child: ChildProcess | undefined;

before(async () => {
  stack = await startStack({ executor: false, executionLeaseSeconds: 4 });
  // The child executor reaches the cluster through a gate, so it can be caught in the middle of applying.
  gate = await GateProxy.start(stack.sim.kubeApiUrl);
  dir = await mkdtemp(join(tmpdir(), 'ib-executor-'));
  await writeFile(join(dir, 'kubeconfig'), toKubeconfigYaml(gate.url));
});

after(async () => {
  if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  gate.release();
  await stack.close();
  await gate.stop();
  await rm(dir, { recursive: true, force: true });
});

/** `ROLE=executor` in its own process, as in the executor pod. */
const startExecutorProcess = (): ChildProcess =>
  startRole('executor', {
    SLACK_BOT_TOKEN: 'xoxb-remediation-test',
    SLACK_SIGNING_SECRET: 'unused-by-executors',
    SLACK_API_URL: stack.slack.apiUrl,
    INCIDENT_CHANNEL: CHANNEL,
    PAGERDUTY_WEBHOOK_SECRETS: 'unused',
    DATABASE_URL: stack.databaseUrl,
    REDIS_URL: 'redis://127.0.0.1:6379',
    QUEUE_PREFIX: stack.prefix,
    EXECUTOR_KUBECONFIG: join(dir, 'kubeconfig'),
    EXECUTION_LEASE_SECONDS: '4',
    VERIFY_TIMEOUT_SECONDS: '5',
  });

test('an executor killed mid-apply: another takes the plan over, tells the thread, and verifies or rolls back', async () => {
  const planId = await stack.propose(undo);
  // Hold the real write (not its dry run): the executor is then between its snapshot and its change.
  gate.close((req) => req.method === 'PATCH' && !/dryRun=All/.test(req.url ?? ''));
  child = startExecutorProcess();
  await stack.click(planId, 'UALICE', 'approve');
  await until('the child executor to be applying the change', () => gate.heldCount > 0, 60_000);
  assert.equal((await stack.plan(planId)).status, 'executing');
  child.kill('SIGKILL');
  await once(child, 'exit');

  stack.startExecutor();
  const plan = await stack.settled(planId, ['approved', 'executing'], 60_000);
  assert.ok(['succeeded', 'rolled_back'].includes(plan.status), `plan ended ${plan.status}: ${plan.statusReason}`);
  assert.equal(plan.leaseOwner, null);

  const texts = () =>
    stack.slack
      .storedMessages(CHANNEL)
      .filter((message) => message.thread_ts === THREAD_TS)
      .map((message) => message.text ?? '');
  const outcomes = () => texts().filter((text) => /verified|Rolled back/.test(text) && !/took it over/.test(text));
  // The status moves first; the thread is told right after.
  await until('the outcome to be told in the thread', () => outcomes().length > 0);
  assert.equal(texts().filter((text) => /Another executor took it over/.test(text)).length, 1, texts().join('\n'));
  assert.equal(outcomes().length, 1, 'one outcome reply');
  const actions = await stack.auditActions();
  assert.ok(actions.includes('plan.execution.recovering'));
  assert.ok(actions.includes('plan.recovery.state'), 'the state was read back before deciding');
});
