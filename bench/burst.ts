/**
 * A burst of distinct PagerDuty incidents posted at once, through the processes production runs: one web and one worker
 * (`src/main.ts`, ROLE=web and ROLE=worker, default settings otherwise), real Postgres and Redis, the fake Slack Web
 * API, and the 5,000-pod simulated cluster (one namespace per incident). Measures each webhook's answer time and when the
 * last thread got its answer, and checks that every incident was answered exactly once.
 */
import { type ChildProcess, fork, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Redis } from 'ioredis';
import pg from 'pg';
import { toKubeconfigYaml } from '../src/simulation/kubeconfig.ts';
import type { Simulation } from '../src/simulation/simulation.ts';
import { createTestDatabase } from '../test/support/database.ts';
import { FakeSlack, type SlackCall } from '../test/support/fake-slack.ts';
import { pagerDutySignature } from '../test/support/signing.ts';
import { isAnswer, pagerDutyEvent } from '../test/web/harness.ts';
import type { SendersInput, SendersOutput } from './burst-senders.ts';

const ROOT = join(import.meta.dirname, '..');
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const SECRET = 'bench-pagerduty-secret';
const CHANNEL = 'CBENCH';

export interface BurstOptions {
  incidents: number;
  concurrency: number;
  /** The alert title of incident `index` (each names its own namespace, so each is its own investigation). */
  title(index: number): string;
}

export interface BurstResult {
  /** Every webhook's answer time, retries included. */
  webhookMs: number[];
  /** How many webhooks got each HTTP status (a 503 is sent again, as PagerDuty retries). */
  statuses: Record<number, number>;
  /** From the first webhook sent to the last answer posted. */
  lastAnswerMs: number | undefined;
  answered: number;
  /** Threads that received more than one answer. */
  answeredTwice: number;
  /** Slack Web API calls by method, over the whole burst. */
  slackCalls: Record<string, number>;
  /** Requests the simulated API server answered during the burst. */
  apiRequests: number;
  /**
   * CPU (ms) each party used while the webhooks were sent (first sent to the last one answered 2xx or not): on a small machine
   * they share the cores, so the worker's and the bench's (this process: the simulated cluster and Slack; and the
   * senders' process, burst-senders.ts) count too.
   */
  cpuDuringWebhooks: { web: number; worker: number; bench: number; postgres: number };
  /** The same, from the first webhook sent to the last answer seen. */
  cpuToLastAnswer: { web: number; worker: number; bench: number; postgres: number };
  /** Each investigation job's wait in the queue and its run on the worker (ms), from BullMQ's own timestamps. */
  jobs: { waitMs: number[]; runMs: number[] };
}

/** CPU a process has used so far (user + system, ms), from /proc; 0 where there is none (a process gone, not Linux). */
function cpuOf(pid: number | undefined): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
  } catch {
    return 0;
  }
}
const CLOCK_TICKS = 100;
const ownCpu = () => (process.cpuUsage().user + process.cpuUsage().system) / 1000;

/** The Postgres backends serving `database` (the roles' pools), to count their CPU. */
async function backendsOf(url: string): Promise<number[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ pid: number }>(
      'SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()',
    );
    return rows.map((row) => row.pid);
  } finally {
    await client.end();
  }
}

/** Starts `src/main.ts` in a role and resolves once it logged `ready` (JSON log lines on stdout). */
async function startRole(
  env: Record<string, string>,
  ready: RegExp,
): Promise<{ child: ChildProcess; line: Record<string, unknown> }> {
  // BENCH_PROFILE_DIR=/tmp/x: each role writes a V8 CPU profile there when it exits (open in Chrome DevTools).
  const profile = process.env.BENCH_PROFILE_DIR
    ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE_DIR}`]
    : [];
  // BENCH_ROUND_TRIPS_DIR=/tmp/y: each role counts its Postgres queries and Redis commands (bench/round-trips.ts).
  // BENCH_WEBHOOK_LOG=/tmp/z.json: the burst writes each webhook's [index, sent at, ms, status] and each answer's time
  // (ms after the first webhook) there, to see whether slow webhooks come in runs (a stall) or at random.
  const counted = process.env.BENCH_ROUND_TRIPS_DIR ? ['--import', join(ROOT, 'bench/round-trips.ts')] : [];
  const child = spawn(process.execPath, [...profile, '--import', 'tsx', ...counted, join(ROOT, 'src/main.ts')], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const line = await new Promise<Record<string, unknown>>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (text) => {
      try {
        const parsed = JSON.parse(text) as Record<string, unknown>;
        if (ready.test(String(parsed.msg))) resolve(parsed);
      } catch {
        // Not a log line.
      }
    });
    child.once('exit', (code) => reject(new Error(`${env.ROLE} exited with ${code} before it was ready`)));
  });
  return { child, line };
}

/**
 * The next message `child` sends; rejects if it exits first (a fetch that failed in the senders' process ends it), so
 * the bench fails saying so instead of waiting for a message that never comes.
 */
function messageFrom(child: ChildProcess): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const exited = (code: number | null) => reject(new Error(`the senders' process exited (${code}) before answering`));
    child.once('exit', exited);
    child.once('message', (message) => {
      child.removeListener('exit', exited);
      resolve(message);
    });
  });
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await once(child, 'exit');
  clearTimeout(timer);
}

const threadOf = (call: SlackCall) => String(call.args.thread_ts ?? call.response?.ts ?? '');

export async function burst(simulation: Simulation, options: BurstOptions): Promise<BurstResult> {
  const database = await createTestDatabase();
  const slack = await FakeSlack.start();
  const dir = await mkdtemp(join(tmpdir(), 'ib-burst-'));
  const kubeconfig = join(dir, 'kubeconfig.yaml');
  await writeFile(kubeconfig, toKubeconfigYaml(simulation.kubeApiUrl));
  const prefix = `ib-bench-${process.pid}-${Date.now()}`;
  const env = {
    SLACK_BOT_TOKEN: 'xoxb-bench',
    SLACK_SIGNING_SECRET: 'bench-slack-secret',
    SLACK_API_URL: slack.apiUrl,
    INCIDENT_CHANNEL: CHANNEL,
    PAGERDUTY_WEBHOOK_SECRETS: SECRET,
    DATABASE_URL: database.url,
    REDIS_URL,
    QUEUE_PREFIX: prefix,
    KUBECONFIG: kubeconfig,
    PROMETHEUS_URL: simulation.prometheusUrl,
    PORT: '0',
    METRICS_PORT: '0',
    LOG_LEVEL: 'info',
  };
  const roles: ChildProcess[] = [];
  try {
    const web = await startRole({ ...env, ROLE: 'web' }, /^web listening/);
    roles.push(web.child);
    roles.push((await startRole({ ...env, ROLE: 'worker' }, /^worker started/)).child);
    const base = `http://127.0.0.1:${web.line.port}`;

    const senders = fork(join(ROOT, 'bench/burst-senders.ts'), { execArgv: ['--import', 'tsx'], stdio: 'inherit' });
    roles.push(senders);
    const requestsBefore = simulation.requests().length;
    const backends = await backendsOf(database.url);
    const cpu = () => ({
      web: cpuOf(web.child.pid),
      worker: cpuOf(roles[1]?.pid),
      bench: ownCpu(),
      postgres: backends.reduce((sum, pid) => sum + cpuOf(pid), 0),
    });
    const deliveries = Array.from({ length: options.incidents }, (_, index) => {
      const body = pagerDutyEvent('incident.triggered', { id: `PBURST${index}`, title: options.title(index) });
      return { body, signature: pagerDutySignature(body, SECRET) };
    });
    const input: SendersInput = {
      url: `${base}/webhooks/pagerduty`,
      readyUrl: `${base}/readyz`,
      deliveries,
      concurrency: options.concurrency,
    };
    senders.send(input);
    await messageFrom(senders); // ready: the web role's /readyz answered, the first webhook goes now
    const cpuBefore = cpu();
    const sent = (await messageFrom(senders)) as SendersOutput;
    const { webhookMs, timeline } = sent;
    const statuses = new Map(Object.entries(sent.statuses).map(([status, count]) => [Number(status), count]));
    const started = sent.startedAt - performance.timeOrigin;
    const cpuAfter = cpu();

    let lastAnswerMs: number | undefined;
    const answers = () => slack.calls.filter((call) => call.method === 'chat.postMessage' && isAnswer(call));
    const deadline = performance.now() + 120_000;
    const answerAt: number[] = [];
    while (answers().length < options.incidents && performance.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      while (answerAt.length < answers().length) answerAt.push(Math.round(performance.now() - started));
    }
    if (answers().length >= options.incidents) lastAnswerMs = performance.now() - started;
    const cpuAtEnd = cpu();
    if (process.env.BENCH_WEBHOOK_LOG) {
      await writeFile(process.env.BENCH_WEBHOOK_LOG, JSON.stringify({ timeline, answerAt }));
    }
    // A second answer would come late: give it time to show.
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    const perThread = new Map<string, number>();
    for (const call of answers()) perThread.set(threadOf(call), (perThread.get(threadOf(call)) ?? 0) + 1);
    const slackCalls: Record<string, number> = {};
    for (const call of slack.calls) slackCalls[call.method] = (slackCalls[call.method] ?? 0) + 1;
    return {
      webhookMs,
      statuses: Object.fromEntries(statuses),
      slackCalls,
      apiRequests: simulation.requests().length - requestsBefore,
      cpuDuringWebhooks: {
        web: cpuAfter.web - cpuBefore.web,
        worker: cpuAfter.worker - cpuBefore.worker,
        bench: cpuAfter.bench - cpuBefore.bench + sent.cpuMs,
        postgres: cpuAfter.postgres - cpuBefore.postgres,
      },
      cpuToLastAnswer: {
        web: cpuAtEnd.web - cpuBefore.web,
        worker: cpuAtEnd.worker - cpuBefore.worker,
        bench: cpuAtEnd.bench - cpuBefore.bench + sent.cpuMs,
        postgres: cpuAtEnd.postgres - cpuBefore.postgres,
      },
      jobs: await jobTimes(prefix),
      lastAnswerMs,
      answered: perThread.size,
      answeredTwice: [...perThread.values()].filter((count) => count > 1).length,
    };
  } finally {
    for (const role of roles.reverse()) await stop(role);
    await deleteKeys(prefix);
    await slack.close();
    await database.drop();
    await rm(dir, { recursive: true, force: true });
  }
}

/** Each completed investigation job's queue wait (added → taken) and run (taken → finished), as BullMQ stamped them. */
async function jobTimes(prefix: string): Promise<{ waitMs: number[]; runMs: number[] }> {
  const redis = new Redis(REDIS_URL);
  const waitMs: number[] = [];
  const runMs: number[] = [];
  try {
    const ids = await redis.zrange(`${prefix}:investigations:completed`, '0', '-1');
    const pipeline = redis.pipeline();
    for (const id of ids) pipeline.hmget(`${prefix}:investigations:${id}`, 'timestamp', 'processedOn', 'finishedOn');
    for (const [, fields] of (await pipeline.exec()) ?? []) {
      const [added, taken, finished] = (fields as (string | null)[]).map(Number);
      if (!added || !taken || !finished) continue;
      waitMs.push(taken - added);
      runMs.push(finished - taken);
    }
  } finally {
    redis.disconnect();
  }
  return { waitMs, runMs };
}

async function deleteKeys(prefix: string): Promise<void> {
  const redis = new Redis(REDIS_URL);
  try {
    let cursor = '0';
    do {
      const [nextCursor, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      if (keys.length > 0) await redis.del(...keys);
      cursor = nextCursor;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

export const percentile = (values: number[], p: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
};

const TARGETS = { incidents: 200, concurrency: 50, p99Ms: 500, lastAnswerMs: 15_000 };

/** The burst case of `npm run bench`, printed against its targets. */
export async function burstCase(simulation: Simulation, namespaces: number): Promise<void> {
  const { incidents, concurrency } = TARGETS;
  console.log(`burst: ${incidents} distinct incidents at concurrency ${concurrency}, one web and one worker process`);
  const result = await burst(simulation, {
    incidents,
    concurrency,
    title: (index) => `HighRequestErrorRate web in team-${index % namespaces}`,
  });
  const p99 = percentile(result.webhookMs, 99);
  const line = (name: string, value: string, ok: boolean) => `  ${ok ? 'ok  ' : 'MISS'} ${name.padEnd(18)} ${value}`;
  const statuses = Object.entries(result.statuses)
    .map(([status, count]) => `${count}× ${status}`)
    .join(', ');
  console.log(
    line(
      'webhook p99',
      `${p99.toFixed(0)} ms, p50 ${percentile(result.webhookMs, 50).toFixed(0)} ms (target ≤ ${TARGETS.p99Ms} ms; ${statuses})`,
      p99 <= TARGETS.p99Ms,
    ),
  );
  const last = result.lastAnswerMs;
  console.log(
    line(
      'last answer',
      `${last === undefined ? 'not all answered within 120 s' : `${(last / 1000).toFixed(1)} s`} after the first webhook (target ≤ ${TARGETS.lastAnswerMs / 1000} s)`,
      last !== undefined && last <= TARGETS.lastAnswerMs,
    ),
  );
  const perIncident = (count = 0) => (count / incidents).toFixed(1);
  const { slackCalls } = result;
  console.log(
    `       per incident       ${perIncident(slackCalls['chat.postMessage'])} Slack posts, ${perIncident(slackCalls['chat.update'])} edits, ${perIncident(result.apiRequests)} API requests`,
  );
  const used = result.cpuDuringWebhooks;
  console.log(
    `       CPU while sent     web ${used.web.toFixed(0)} ms, worker ${used.worker.toFixed(0)} ms, Postgres ${used.postgres.toFixed(0)} ms, bench (cluster, Slack, senders) ${used.bench.toFixed(0)} ms`,
  );
  const total = result.cpuToLastAnswer;
  console.log(
    `       CPU to last answer web ${total.web.toFixed(0)} ms, worker ${total.worker.toFixed(0)} ms, Postgres ${total.postgres.toFixed(0)} ms, bench ${total.bench.toFixed(0)} ms`,
  );
  const { waitMs, runMs } = result.jobs;
  const ms = (values: number[], p: number) => `${percentile(values, p).toFixed(0)}`;
  console.log(
    `       jobs (${runMs.length})          queue wait p50 ${ms(waitMs, 50)} / max ${ms(waitMs, 100)} ms; run p50 ${ms(runMs, 50)} / p90 ${ms(runMs, 90)} ms, ${(runMs.reduce((a, b) => a + b, 0) / 1000).toFixed(1)} s in all`,
  );
  const once = result.answered === incidents && result.answeredTwice === 0;
  console.log(
    line('answered once', `${result.answered}/${incidents} threads, ${result.answeredTwice} answered twice`, once),
  );
}
