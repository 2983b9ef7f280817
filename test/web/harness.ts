import type { Scenario } from '../../src/simulation/scenario.ts';
import { type Simulation, startSimulation } from '../../src/simulation/simulation.ts';
import { TINY_CLUSTER } from './tiny-cluster.ts';
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { KubeConfig } from '@kubernetes/client-node';
import { LogLevel } from '@slack/bolt';
import type { AgentConfig } from '../../src/agent/config.ts';
import { Queue, type Worker } from 'bullmq';
import { ChainKey } from '../../src/audit/chain-key.ts';
import { PostgresAuditLog } from '../../src/audit/postgres-audit-log.ts';
import { createServer, type ServerConfig, type WebServer } from '../../src/http/server.ts';
import {
  createInvestigationQueue,
  INVESTIGATION_QUEUE,
  type InvestigationQueue,
  type RetryPolicy,
} from '../../src/queue/investigation-queue.ts';
import { type ClusterReadAccess, startInvestigationWorker } from '../../src/worker/investigation-worker.ts';
import { createFollowUpRuntime } from '../../src/pagerduty/runtime.ts';
import { Approvers } from '../../src/remediation/approvers.ts';
import { createSlackClient } from '../../src/slack/client.ts';
import type { FakePagerDuty } from '../support/fake-pagerduty.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { GateProxy } from '../support/gate-proxy.ts';
import { toKubeconfigYaml } from '../../src/simulation/kubeconfig.ts';
import { FakeSlack, type SlackCall } from '../support/fake-slack.ts';
import { pagerDutySignature, slackHeaders } from '../support/signing.ts';
import { until } from '../support/until.ts';
import { APP_TOKEN, httpDoor, type SlackDoor, type SlackMode, socketDoor } from '../support/slack-door.ts';

export const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
export const SIGNING_SECRET = 'test-slack-signing-secret';
export const PD_SECRETS = ['pd-secret-current', 'pd-secret-next'];
export const INCIDENT_CHANNEL = 'CINCIDENTS';

/** Other engineers run their tests on the same Redis: every harness gets its own BullMQ prefix. */
export const uniquePrefix = () => `ibtest-${randomBytes(5).toString('hex')}`;

/** What the web server reads from the environment, with the test secrets: HTTP mode unless told otherwise. */
export const testServerConfig = (slackApiUrl: string, slackMode: SlackMode = 'http'): ServerConfig => ({
  SLACK_BOT_TOKEN: 'xoxb-test',
  SLACK_SIGNING_SECRET: slackMode === 'http' ? SIGNING_SECRET : undefined,
  SLACK_APP_TOKEN: slackMode === 'socket' ? APP_TOKEN : undefined,
  SLACK_API_URL: slackApiUrl,
  SLACK_BOT_ID: undefined,
  SLACK_BOT_USER_ID: undefined,
  PAGERDUTY_WEBHOOK_SECRETS: PD_SECRETS,
  ALERTMANAGER_TOKEN: 'am-token',
});

export interface Harness {
  database: TestDatabase;
  /** The audit trail the server writes to. */
  audit: PostgresAuditLog;
  /** Serves /ui with `handler` from now on (built after start, once the server's address is known). */
  mountUi(handler: (req: IncomingMessage, res: ServerResponse) => void): void;
  slack: FakeSlack;
  queue: InvestigationQueue;
  /** A raw view of the same BullMQ queue, to count jobs. */
  jobs: Queue;
  prefix: string;
  baseUrl: string;
  worker?: Worker;
  post(path: string, body: string, headers?: Record<string, string>): Promise<Response>;
  postPagerDuty(body: string, secrets?: string[]): Promise<Response>;
  postSlack(body: string, contentType?: string, ts?: number): Promise<Response>;
  /** Slack delivering commands, events and clicks in the harness's mode (signed POSTs or Socket Mode). */
  slackDoor: SlackDoor;
  /** Refused requests of a source, as the audit trail counts them once the server has written its counts. */
  refusalCount(source: string): Promise<number>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  /** Start an in-process investigation worker against this cluster. */
  kubeConfig?: KubeConfig;
  /** How Slack reaches the server (default http). */
  slackMode?: SlackMode;
  /** false: no PagerDuty secrets configured, so no PagerDuty door (an in-cluster install). */
  pagerDuty?: false;
  /** How long a failing investigation is retried (default: the production policy). */
  retry?: RetryPolicy;
  /** The worker's Prometheus, as PROMETHEUS_URL. */
  prometheusUrl?: string;
  /** The LLM agent on top of the engine in that worker (a scripted model). */
  agent?: AgentConfig;
  /**
   * What follows the answer (Seen before, the Timeline button) and, with `pagerDuty`, PagerDuty write-back to that
   * stand-in, with its Acknowledge/Resolve buttons for `approvers`.
   */
  followUp?: { pagerDuty?: FakePagerDuty; approvers?: string[] };
  /** ALERT_GROUPING_WINDOW_SECONDS in ms (default: the production default). */
  groupingWindowMs?: number;
  /** CLUSTERS_FILE's clusters: their names for intake, their read-only access for the worker. */
  clusters?: { names: string[]; fallback?: string; access: ReadonlyMap<string, ClusterReadAccess> };
  /** AUDIT_HMAC_KEY of the audit trail (default: the public development key). */
  auditKey?: string;
}

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const database = await createTestDatabase();
  const slack = await FakeSlack.start();
  const prefix = uniquePrefix();
  const connection = { url: REDIS_URL, maxRetriesPerRequest: null };
  const audit = new PostgresAuditLog(database.db, new ChainKey(options.auditKey));
  let ui: ((req: IncomingMessage, res: ServerResponse) => void) | undefined;
  const queue = createInvestigationQueue(connection, prefix, options.retry);
  const jobs = new Queue(INVESTIGATION_QUEUE, { connection, prefix });
  const config = {
    ...testServerConfig(slack.apiUrl, options.slackMode),
    ...(options.pagerDuty === false ? { PAGERDUTY_WEBHOOK_SECRETS: undefined } : {}),
  };

  const followUp = options.followUp
    ? createFollowUpRuntime({
        db: database.db,
        audit,
        slack: createSlackClient('xoxb-test', { slackApiUrl: slack.apiUrl }),
        connection,
        prefix,
        pagerDuty: options.followUp.pagerDuty
          ? {
              apiUrl: options.followUp.pagerDuty.apiUrl,
              token: options.followUp.pagerDuty.token,
              fromEmail: 'incident-bot@example.com',
            }
          : null,
        approvers: new Approvers(
          createSlackClient('xoxb-test', { slackApiUrl: slack.apiUrl }),
          options.followUp.approvers ?? [],
        ),
        // Short waits so an outage's retries run out within the test; 429's Retry-After is still honoured.
        retry: { attempts: 3, baseDelayMs: 50, maxDelayMs: 200, jobBackoffMs: 100 },
      })
    : undefined;
  const server: WebServer = createServer(
    config,
    {
      db: database.db,
      audit,
      queue,
      ...(options.groupingWindowMs !== undefined ? { groupingWindowMs: options.groupingWindowMs } : {}),
      ...(options.clusters
        ? {
            clusters: {
              names: options.clusters.names,
              ...(options.clusters.fallback ? { fallback: options.clusters.fallback } : {}),
            },
          }
        : {}),
    },
    // A busy test machine is not a database that is down: the 3 s intake deadline (answered 503) is tested on
    // servers of their own in intake-hardening.test.ts; here a slow insert still gets its 202.
    {
      processBeforeResponse: true,
      logLevel: LogLevel.ERROR,
      intakeDeadlineMs: 30_000,
      ...(followUp ? { register: [followUp.register] } : {}),
      ui: (req, res) => (ui ? ui(req, res) : res.writeHead(404).end()),
    },
  );
  const port = await server.start(0);
  const baseUrl = `http://127.0.0.1:${port}`;
  const worker = options.kubeConfig
    ? startInvestigationWorker(
        connection,
        {
          db: database.db,
          audit,
          slack: server.app.client,
          kubeConfig: options.kubeConfig,
          queue,
          ...(options.clusters ? { clusters: options.clusters.access } : {}),
          ...(options.prometheusUrl ? { prometheusUrl: options.prometheusUrl } : {}),
          incidentChannel: INCIDENT_CHANNEL,
          statusIntervalMs: 50,
          ...(options.agent ? { agent: options.agent } : {}),
          ...(followUp ? { afterAnswer: followUp.afterAnswer } : {}),
        },
        { concurrency: 2, prefix },
      )
    : undefined;
  const writeBack = followUp?.startWorker() ?? undefined;

  const post = (path: string, body: string, headers: Record<string, string> = {}) =>
    fetch(`${baseUrl}${path}`, { method: 'POST', body, headers: { 'content-type': 'application/json', ...headers } });

  return {
    database,
    audit,
    mountUi: (handler) => {
      ui = handler;
    },
    slack,
    queue,
    jobs,
    prefix,
    baseUrl,
    ...(worker ? { worker } : {}),
    post,
    postPagerDuty: (body, secrets = [PD_SECRETS[0]!]) =>
      post('/webhooks/pagerduty', body, { 'x-pagerduty-signature': pagerDutySignature(body, ...secrets) }),
    postSlack: (body, contentType = 'application/x-www-form-urlencoded', ts?: number) =>
      post('/slack/events', body, { 'content-type': contentType, ...slackHeaders(SIGNING_SECRET, body, ts) }),
    slackDoor: server.slackMode === 'socket' ? socketDoor(slack) : httpDoor(`${baseUrl}/slack/events`, SIGNING_SECRET),
    async refusalCount(source) {
      await server.flushRefusals();
      return refusalsIn(database, source);
    },
    async close() {
      await worker?.close();
      await writeBack?.close();
      await followUp?.close();
      await server.stop();
      await deleteKeys(jobs, prefix);
      await jobs.close();
      await queue.close();
      await slack.close();
      await database.drop();
    },
  };
}

/** A PagerDuty V3 webhook body, as PagerDuty sends it. */
export function pagerDutyEvent(
  eventType: string,
  incident: { id: string; title?: string },
  eventId = `01${randomBytes(6).toString('hex').toUpperCase()}`,
): string {
  return JSON.stringify({
    event: {
      id: eventId,
      event_type: eventType,
      resource_type: 'incident',
      occurred_at: '2026-11-20T10:20:00.000Z',
      agent: null,
      client: null,
      data: {
        id: incident.id,
        type: 'incident',
        self: `https://api.pagerduty.com/incidents/${incident.id}`,
        html_url: `https://acme.pagerduty.com/incidents/${incident.id}`,
        number: 42,
        status: eventType === 'incident.resolved' ? 'resolved' : 'triggered',
        incident_key: 'abc',
        created_at: '2026-11-20T10:20:00Z',
        title: incident.title ?? 'High error rate on checkout',
        service: {
          id: 'PSVC1',
          summary: 'Checkout API',
          html_url: 'https://acme.pagerduty.com/services/PSVC1',
          self: '',
          type: 'service_reference',
        },
        assignees: [],
        escalation_policy: { id: 'PEP', type: 'escalation_policy_reference' },
        teams: [],
        priority: { id: 'PRI', summary: 'P1' },
        urgency: 'high',
        conference_bridge: null,
        resolve_reason: null,
      },
    },
  });
}

/** The investigation's final answer (not a status reply, not a remediation plan posted after it). */
export function isAnswer(call: SlackCall): boolean {
  const [first] = (call.args.blocks ?? []) as { type: string; text?: { text: string } }[];
  return first?.type === 'header' && /^(Root cause|No root cause)/.test(first.text?.text ?? '');
}

/** Replies in the thread that are not the answer or a plan: the status message(s). */
export const isStatus = (call: SlackCall): boolean => !Array.isArray(call.args.blocks);

/** Removes every key under the prefix (the investigation queue, and any other queue a child process opened). */
export async function deleteKeys(queue: Queue, prefix: string): Promise<void> {
  const client = await queue.backend.client;
  let cursor = '0';
  do {
    const [next, keys] = (await client.runCommand('scan', [cursor, 'MATCH', `${prefix}:*`, 'COUNT', '1000'])) as [
      string,
      string[],
    ];
    if (keys.length > 0) await client.runCommand('del', keys);
    cursor = next;
  } while (cursor !== '0');
}

/** A running-hypothesis reply (a finding as it firms up, or one ruled out), posted before the answer. */
export const isFinding = (call: SlackCall): boolean =>
  Array.isArray(call.args.blocks) && /^:(bulb|heavy_multiplication_x):/.test(String(call.args.text));

/** The sum of the counts in a source's `webhook.refused` rows. */
export async function refusalsIn(database: TestDatabase, source: string): Promise<number> {
  const rows = await database.db.auditEvent.findMany({ where: { action: 'webhook.refused', actor: source } });
  return rows.reduce((sum, row) => sum + Number((row.details as { count?: number }).count ?? 0), 0);
}

/** Waits for the worker to open the incident's thread and post its answer there; resolves to the thread's ts. */
export async function answeredThread(h: Harness, incidentId: string): Promise<string> {
  const threadTs = await until(
    'the worker to open a thread',
    async () => (await h.database.db.incident.findUniqueOrThrow({ where: { id: incidentId } })).slackThreadTs,
  );
  await h.slack.waitFor(() => h.slack.replies(threadTs).some(isAnswer), 30_000);
  return threadTs;
}

/** What the worker does first for an incident, without a worker: a root posted in the fake Slack, stored as its thread. */
export async function openThread(h: Harness, incidentId: string, status?: 'diagnosed'): Promise<string> {
  const root = await fetch(`${h.slack.apiUrl}chat.postMessage`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer xoxb-test' },
    body: JSON.stringify({ channel: INCIDENT_CHANNEL, text: 'root' }),
  });
  const { ts } = (await root.json()) as { ts: string };
  await h.database.db.incident.update({
    where: { id: incidentId },
    data: { slackChannel: INCIDENT_CHANNEL, slackThreadTs: ts, ...(status ? { status } : {}) },
  });
  return ts;
}

export type ClusterHarness = Harness & { sim: Simulation };

/** A harness whose in-process worker investigates `scenario`'s simulated cluster (`sim`); close() stops both. */
export async function startClusterHarness(
  scenario: Scenario,
  options: Omit<HarnessOptions, 'kubeConfig'> = {},
): Promise<ClusterHarness> {
  const sim = await startSimulation(scenario);
  const h = await startHarness({ ...options, kubeConfig: sim.kubeConfig });
  const closeHarness = h.close;
  return Object.assign(h, {
    sim,
    async close() {
      await closeHarness();
      await sim.close();
    },
  });
}

/** startClusterHarness on the one-pod TINY_CLUSTER: for tests about the pipeline, not the engine. */
export const startTinyClusterHarness = (options: Omit<HarnessOptions, 'kubeConfig'> = {}): Promise<ClusterHarness> =>
  startClusterHarness(TINY_CLUSTER, options);

export type GatedClusterHarness = ClusterHarness & { gate: GateProxy };

/**
 * A harness whose worker reaches the tiny simulated cluster through a gate (`gate`): requests can be held, to catch
 * an investigation mid-read, or refused, as an unreachable API server. close() releases the gate and stops all three.
 */
export async function startGatedClusterHarness(
  options: Omit<HarnessOptions, 'kubeConfig'> = {},
): Promise<GatedClusterHarness> {
  const sim = await startSimulation(TINY_CLUSTER);
  const gate = await GateProxy.start(sim.kubeApiUrl);
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromString(toKubeconfigYaml(gate.url));
  const h = await startHarness({ ...options, kubeConfig });
  const closeHarness = h.close;
  return Object.assign(h, {
    sim,
    gate,
    async close() {
      gate.release();
      await closeHarness();
      await gate.stop();
      await sim.close();
    },
  });
}
