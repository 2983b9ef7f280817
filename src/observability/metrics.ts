import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/**
 * The process's Prometheus metrics (served by metrics-server.ts on METRICS_PORT). Each role exports what it
 * does: the web role counts alerts, the worker investigations and model calls, the executor executions.
 * Instrumented code calls the small functions below, one line at the place where the thing happens.
 * Labels take only bounded values (sources, outcomes, statuses), never ids or free text.
 */
export const registry = new Registry();
collectDefaultMetrics({ register: registry });

const alertsReceived = new Counter({
  name: 'incident_bot_alerts_received_total',
  help: 'Alerts that reached intake (duplicate deliveries included), by source',
  labelNames: ['source'],
  registers: [registry],
});

const alertsRefused = new Counter({
  name: 'incident_bot_alerts_refused_total',
  help: 'Deliveries refused at intake, by source and reason',
  labelNames: ['source', 'reason'],
  registers: [registry],
});

const investigations = new Counter({
  name: 'incident_bot_investigations_total',
  help: 'Investigation attempts that ended, by outcome (root_cause, no_root_cause, failed)',
  labelNames: ['outcome'],
  registers: [registry],
});

const investigationDuration = new Histogram({
  name: 'incident_bot_investigation_duration_seconds',
  help: 'Wall time of one investigation attempt, from the worker taking the job to the answer or failure',
  labelNames: ['outcome'],
  buckets: [1, 2.5, 5, 10, 20, 30, 60, 120, 300, 600],
  registers: [registry],
});

const investigationQueueWait = new Histogram({
  name: 'incident_bot_investigation_queue_wait_seconds',
  help: "From an investigation's job being queued to a worker taking it, first starts only (not a retry after its backoff, nor a restart after a worker died): growing waits mean the workers are saturated",
  buckets: [0.1, 0.5, 1, 2.5, 5, 10, 20, 30, 60, 120],
  registers: [registry],
});

const investigationApiRequests = new Histogram({
  name: 'incident_bot_investigation_api_requests',
  help: 'Kubernetes API requests one investigation made',
  buckets: [5, 10, 15, 20, 25, 30, 40, 60, 100, 200],
  registers: [registry],
});

const timeToFirstHypothesis = new Histogram({
  name: 'incident_bot_time_to_first_hypothesis_seconds',
  help: 'From the alert reaching intake to the first hypothesis of its investigation',
  buckets: [0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300],
  registers: [registry],
});

const plans = new Counter({
  name: 'incident_bot_plans_total',
  help: 'Remediation plans decided, by decision (approved, rejected, expired)',
  labelNames: ['decision'],
  registers: [registry],
});

const executions = new Counter({
  name: 'incident_bot_executions_total',
  help: 'Plan executions that ended, by result (succeeded, failed, rolled_back, stale)',
  labelNames: ['result'],
  registers: [registry],
});

const modelCalls = new Counter({
  name: 'incident_bot_model_calls_total',
  help: 'Calls to the model endpoint (each retry counts), by outcome (ok, error)',
  labelNames: ['outcome'],
  registers: [registry],
});

const modelTokens = new Counter({
  name: 'incident_bot_model_tokens_total',
  help: 'Tokens the model endpoint reported, by kind (prompt, completion)',
  labelNames: ['kind'],
  registers: [registry],
});

export const alertReceived = (source: string): void => alertsReceived.inc({ source });

/** `reason` comes from intake's fixed vocabulary (src/intake/refusals.ts), so the series stay bounded. */
export const alertRefused = (source: string, reason: string): void => alertsRefused.inc({ source, reason });

/** Call at the start of an attempt; call the returned function with its outcome when it ends (first call counts). */
export function investigationTimer(): (outcome: 'root_cause' | 'no_root_cause' | 'failed') => void {
  const end = investigationDuration.startTimer();
  let ended = false;
  return (outcome) => {
    if (ended) return;
    ended = true;
    end({ outcome });
    investigations.inc({ outcome });
  };
}

/** A worker took a job queued at `queuedAt` (ms since the epoch) at `takenAt`; call for first starts only (firstStart: not a retry, nor a restart after its worker died). */
export const investigationTaken = (queuedAt: number, takenAt: number): void =>
  investigationQueueWait.observe(Math.max(0, (takenAt - queuedAt) / 1000));

export const investigationRequests = (requests: number): void => investigationApiRequests.observe(requests);

/** Returns a function that observes, on its first call only, the time since the alert was received. */
export function firstHypothesisTimer(alertReceivedAt: Date): () => void {
  let seen = false;
  return () => {
    if (seen) return;
    seen = true;
    timeToFirstHypothesis.observe(Math.max(0, (Date.now() - alertReceivedAt.getTime()) / 1000));
  };
}

const DECISIONS = new Set(['approved', 'rejected', 'expired']);
const RESULTS = new Set(['succeeded', 'failed', 'rolled_back', 'stale']);

/** A plan's compare-and-set status move that took effect: a decision, or the end of an execution. */
export function planMoved(from: string, to: string): void {
  if (from === 'proposed' && DECISIONS.has(to)) plans.inc({ decision: to });
  else if (from === 'executing' && RESULTS.has(to)) executions.inc({ result: to });
}

export function modelCall(ok: boolean, usage?: { prompt_tokens?: number; completion_tokens?: number } | null): void {
  modelCalls.inc({ outcome: ok ? 'ok' : 'error' });
  if (usage?.prompt_tokens) modelTokens.inc({ kind: 'prompt' }, usage.prompt_tokens);
  if (usage?.completion_tokens) modelTokens.inc({ kind: 'completion' }, usage.completion_tokens);
}

interface CountableQueue {
  name: string;
  getJobCounts(...states: ('waiting' | 'active')[]): Promise<Record<string, number>>;
}

const watchedQueues = new Set<CountableQueue>();

/** Queue depth, read from Redis at each scrape for the queues this process watches. */
new Gauge({
  name: 'incident_bot_queue_jobs',
  help: 'Jobs in a queue by state (waiting, active)',
  labelNames: ['queue', 'state'],
  registers: [registry],
  async collect() {
    this.reset();
    await Promise.all(
      [...watchedQueues].map(async (queue) => {
        // Redis down: the series disappear for this scrape rather than failing it.
        const counts = await queue.getJobCounts('waiting', 'active').catch(() => null);
        if (!counts) return;
        for (const state of ['waiting', 'active'] as const) this.set({ queue: queue.name, state }, counts[state] ?? 0);
      }),
    );
  },
});

/** Reports the queue's waiting and active jobs at every scrape, until the returned function is called. */
export function watchQueue(queue: CountableQueue): () => void {
  watchedQueues.add(queue);
  return () => watchedQueues.delete(queue);
}

interface SocketModeEvents {
  on(event: 'connected' | 'close' | 'disconnected', listener: () => void): unknown;
}

let slackSocket: Gauge | undefined;

/** Socket Mode only: whether the WebSocket to Slack is up (0 while it reconnects), to alert on a deaf bot. */
export function watchSlackSocket(client: SocketModeEvents): void {
  slackSocket ??= new Gauge({
    name: 'incident_bot_slack_socket_connected',
    help: 'Socket Mode: 1 while the WebSocket to Slack is connected, 0 while it is down or reconnecting',
    registers: [registry],
  });
  const gauge = slackSocket;
  client.on('connected', () => gauge.set(1));
  client.on('close', () => gauge.set(0));
  client.on('disconnected', () => gauge.set(0));
}
