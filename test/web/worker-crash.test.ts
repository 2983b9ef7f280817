import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { LogLevel } from '@slack/bolt';
import { PostgresAuditLog } from '../../src/audit/postgres-audit-log.ts';
import { createServer } from '../../src/http/server.ts';
import type { InvestigationQueue } from '../../src/queue/investigation-queue.ts';
import { toKubeconfigYaml } from '../../src/simulation/kubeconfig.ts';
import { type Simulation, startSimulation } from '../../src/simulation/simulation.ts';
import { GateProxy } from '../support/gate-proxy.ts';
import { pagerDutySignature } from '../support/signing.ts';
import { startRole } from '../support/run-cli.ts';
import {
  type Harness,
  INCIDENT_CHANNEL,
  isAnswer,
  isStatus,
  PD_SECRETS,
  pagerDutyEvent,
  REDIS_URL,
  startHarness,
  testServerConfig,
} from './harness.ts';
import { TINY_CLUSTER } from './tiny-cluster.ts';
import { until } from '../support/until.ts';

let sim: Simulation;
let gate: GateProxy;
let h: Harness;
let dir: string;
const children: ChildProcess[] = [];

before(async () => {
  sim = await startSimulation(TINY_CLUSTER);
  // The workers reach the cluster through a gate, so one can be caught in the middle of its investigation.
  gate = await GateProxy.start(sim.kubeApiUrl);
  h = await startHarness();
  dir = await mkdtemp(join(tmpdir(), 'ib-worker-'));
  await writeFile(join(dir, 'kubeconfig'), toKubeconfigYaml(gate.url));
});

after(async () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await h.close();
  await gate.stop();
  await sim.close();
  await rm(dir, { recursive: true, force: true });
});

/** `ROLE=worker` in its own process, as in a worker pod. */
function startWorker(): ChildProcess {
  const child = startRole('worker', {
    SLACK_BOT_TOKEN: 'xoxb-test',
    SLACK_SIGNING_SECRET: 'unused-by-workers',
    SLACK_API_URL: h.slack.apiUrl,
    INCIDENT_CHANNEL,
    PAGERDUTY_WEBHOOK_SECRETS: PD_SECRETS.join(','),
    DATABASE_URL: h.database.url,
    REDIS_URL,
    QUEUE_PREFIX: h.prefix,
    KUBECONFIG: join(dir, 'kubeconfig'),
    JOB_LOCK_SECONDS: '2',
    WORKER_CONCURRENCY: '1',
    APPROVER_USER_IDS: 'UAPPROVER',
  });
  children.push(child);
  return child;
}

test('a worker killed mid-investigation: the job is retried elsewhere and the thread gets exactly one answer', async () => {
  gate.close();
  // Queued first, then the worker starts (a cold web role answering while a worker boots can pass the 3 s deadline).
  const response = await h.postPagerDuty(pagerDutyEvent('incident.triggered', { id: 'PCRASH' }));
  assert.equal(response.status, 202);
  const { incidentId } = (await response.json()) as { incidentId: string };
  const first = startWorker();

  await until('the first worker to be inside the investigation', () => gate.heldCount > 0);
  first.kill('SIGKILL');
  await once(first, 'exit');
  gate.release();

  const second = startWorker();
  const threadTs = (await h.database.db.incident.findUniqueOrThrow({ where: { id: incidentId } })).slackThreadTs!;
  const answers = () => h.slack.replies(threadTs).filter(isAnswer);
  await until('the retried investigation to answer', () => answers().length > 0);
  await until('the investigation to be recorded as done', async () => {
    const investigation = await h.database.db.investigation.findFirst({ where: { incidentId } });
    return investigation?.status === 'done';
  });

  const investigation = await h.database.db.investigation.findFirstOrThrow({ where: { incidentId } });
  assert.equal(investigation.attempts, 2, 'the killed attempt and the retry');
  assert.equal(h.slack.rootMessages().length, 1, 'the retry reused the thread');
  const statuses = h.slack.replies(threadTs).filter(isStatus);
  assert.equal(statuses.length, 1, 'one status reply, edited by both attempts');
  assert.ok(
    h.slack
      .callsTo('chat.update')
      .some((call) => call.args.ts === investigation.statusTs && /attempt 2/.test(String(call.args.text))),
    'the retry says so in the status reply',
  );
  assert.equal(answers().length, 1);
  assert.equal(investigation.finalTs, answers()[0]?.response?.ts);

  second.kill('SIGTERM');
  const [code] = await once(second, 'exit');
  assert.equal(code, 0, 'SIGTERM shuts the worker down cleanly');
});

/** The final answer's arguments as Slack receives them (header block "Root cause…"). */
const isAnswerPost = (args: Record<string, unknown>) =>
  isAnswer({ method: 'chat.postMessage', args, token: undefined });

test('a worker killed after Slack stored the answer but before the ts was saved: the retry finds it, no second answer', async () => {
  // Slack stores the answer; its reply never reaches the worker, which is killed meanwhile.
  h.slack.storeThenHangNext('chat.postMessage', isAnswerPost);
  // And the root: stored, then a 5xx (the SDK alone would post it again).
  h.slack.storeThenFailNext('chat.postMessage', 500, (args) => args.thread_ts === undefined);
  const response = await h.postPagerDuty(pagerDutyEvent('incident.triggered', { id: 'PSTORED' }));
  assert.equal(response.status, 202);
  const { incidentId } = (await response.json()) as { incidentId: string };
  const first = startWorker();

  await until('the answer to be stored in Slack, its reply held', () => h.slack.heldCount > 0, 60_000);
  first.kill('SIGKILL');
  await once(first, 'exit');
  h.slack.releaseHeld();

  const second = startWorker();
  await until('the retried investigation to be recorded as done', async () => {
    const investigation = await h.database.db.investigation.findFirst({ where: { incidentId } });
    return investigation?.status === 'done';
  });
  const incident = await h.database.db.incident.findUniqueOrThrow({ where: { id: incidentId } });
  const inChannel = h.slack.storedMessages(INCIDENT_CHANNEL);
  const roots = inChannel.filter((message) => message.metadata?.event_payload.message_key === `${incidentId}:root`);
  assert.equal(roots.length, 1, 'one root message, though Slack answered its post with a 500');
  assert.equal(incident.slackThreadTs, roots[0]?.ts);
  const answers = inChannel.filter(
    (message) => message.thread_ts === incident.slackThreadTs && isAnswerPost(message as never),
  );
  assert.equal(answers.length, 1, 'one answer in the thread');
  const investigation = await h.database.db.investigation.findFirstOrThrow({ where: { incidentId } });
  assert.equal(investigation.finalTs, answers[0]?.ts, 'the retry adopted the answer Slack had stored');
  const ofThisIncident = inChannel.filter((message) => (message.thread_ts ?? message.ts) === incident.slackThreadTs);
  assert.ok(
    ofThisIncident.every((message) => message.metadata?.event_payload.incident_id === incidentId),
    'every message carries its incident in metadata',
  );
  second.kill('SIGTERM');
  await once(second, 'exit');
});

test('a webhook answered by a web process that stopped before adding its job: the worker sweep queues it, answered once', async () => {
  // A web process whose add never happens: it answers 202 once the incident and its acceptance are committed, then
  // stops (killed, deployed over) before the job reaches Redis.
  const never: InvestigationQueue = {
    enqueue: () => new Promise<never>(() => undefined),
    requeue: () => Promise.reject(new Error('not this process')),
    ping: () => Promise.resolve(),
    close: () => Promise.resolve(),
  };
  const web = createServer(
    testServerConfig(h.slack.apiUrl),
    { db: h.database.db, audit: new PostgresAuditLog(h.database.db), queue: never },
    { logLevel: LogLevel.ERROR },
  );
  const port = await web.start(0);
  const body = pagerDutyEvent('incident.triggered', { id: 'PNEVERQUEUED' });
  const response = await fetch(`http://127.0.0.1:${port}/webhooks/pagerduty`, {
    method: 'POST',
    body,
    headers: { 'x-pagerduty-signature': pagerDutySignature(body, PD_SECRETS[0]!) },
  });
  await web.stop();
  assert.equal(response.status, 202);
  const { incidentId, jobId } = (await response.json()) as { incidentId: string; jobId: string };
  assert.equal(await h.jobs.getJob(jobId), undefined, 'no job was added');
  // Accepted a while ago: the sweep leaves alone incidents whose door may still be adding their job.
  await h.database.db
    .$executeRaw`UPDATE "Incident" SET "updatedAt" = "updatedAt" - interval '5 minutes' WHERE "id" = ${incidentId}`;

  const worker = startWorker();
  await until('the swept investigation to be recorded as done', async () => {
    const investigation = await h.database.db.investigation.findFirst({ where: { incidentId } });
    return investigation?.status === 'done';
  });
  const incident = await h.database.db.incident.findUniqueOrThrow({ where: { id: incidentId } });
  assert.equal(h.slack.replies(incident.slackThreadTs!).filter(isAnswer).length, 1, 'one answer');
  const actions = (
    await h.database.db.auditEvent.findMany({
      where: { incidentId },
      orderBy: { seq: 'asc' },
      select: { action: true },
    })
  ).map((row) => row.action);
  assert.deepEqual(actions.slice(0, 4), [
    'incident.opened',
    'investigation.queued',
    'webhook.accepted',
    'investigation.requeued',
  ]);
  assert.equal(actions.filter((action) => action === 'investigation.requeued').length, 1, actions.join(' '));
  assert.equal(actions.filter((action) => action === 'investigation.started').length, 1, actions.join(' '));
  worker.kill('SIGTERM');
  await once(worker, 'exit');
});
