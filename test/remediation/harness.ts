import { buttonClickPayload } from '../support/signing.ts';
import { createSlackClient } from '../../src/slack/client.ts';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { LogLevel } from '@slack/bolt';
import { PostgresAuditLog } from '../../src/audit/postgres-audit-log.ts';
import type { Plan } from '../../src/generated/prisma/client.ts';
import { createServer } from '../../src/http/server.ts';
import { createInvestigationQueue } from '../../src/queue/investigation-queue.ts';
import type { PlanAction } from '../../src/remediation/actions.ts';
import { KubeObjects } from '../../src/remediation/kube-objects.ts';
import { proposePlan } from '../../src/remediation/propose.ts';
import { createRemediationRuntime } from '../../src/remediation/runtime.ts';
import { registerRemediationListeners } from '../../src/remediation/slack-listeners.ts';
import { loadScenario } from '../../src/simulation/scenario.ts';
import { type SimulationOptions, startSimulation } from '../../src/simulation/simulation.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { FakeSlack } from '../support/fake-slack.ts';
import { type CliRun, runCli as runCliProcess } from '../support/run-cli.ts';
import { APP_TOKEN, httpDoor, type SlackMode, socketDoor } from '../support/slack-door.ts';
import { until } from '../support/until.ts';

export const SIGNING_SECRET = 'remediation-test-signing-secret';
export const CHANNEL = 'CINCIDENTS';
export const THREAD_TS = '1763000000.000100';
export const REQUESTER = 'UREQUESTER';
export const APPROVERS = ['UALICE', 'UBOB', REQUESTER];
/** fieldManager of writes the tests make themselves, behind the plan's back. */
export const OTHER_MANAGER = 'someone-else';
export const SCENARIO_FILE = new URL('./fixtures/bad-rollout.json', import.meta.url);

export interface SimRequest {
  method: string;
  path: string;
  query: Record<string, string | string[]>;
  body?: unknown;
}

/**
 * One remediation stack per test: a fresh database, the fake Slack, a replayed scenario on the
 * simulated API server, the real Bolt receiver with the remediation listeners, and the executor
 * worker on its own BullMQ prefix, holding the simulated cluster's credentials.
 */
export async function startStack(
  options: {
    verifyTimeoutSeconds?: number;
    usergroup?: string[];
    scenario?: URL;
    slackMode?: SlackMode;
    /** false: no executor in this process (a test starts its own, e.g. in a child process). */
    executor?: boolean;
    executionLeaseSeconds?: number;
    /** Two clusters (CLUSTERS_FILE): `a` is the scenario's simulation, `b` a second one of the same scenario. */
    twoClusters?: boolean;
    /** The simulated API server does each request but answers late or never (KubeApiServerOptions.hold). */
    hold?: SimulationOptions['hold'];
    /** How long the executor waits for the API server (default 15 s). */
    requestTimeoutMs?: number;
  } = {},
) {
  const database: TestDatabase = await createTestDatabase();
  const slack = await FakeSlack.start();
  if (options.usergroup) slack.usergroups.set('SAPPROVERS', options.usergroup);
  const scenario = await loadScenario(fileURLToPath(options.scenario ?? SCENARIO_FILE));
  const sim = await startSimulation(scenario, { hold: options.hold });
  const simB = options.twoClusters ? await startSimulation(scenario) : undefined;
  const clusterConfigs = new Map(simB ? [['a', sim.kubeConfig] as const, ['b', simB.kubeConfig] as const] : []);
  const audit = new PostgresAuditLog(database.db);
  const connection = { host: '127.0.0.1', port: 6379, maxRetriesPerRequest: null };
  const prefix = `ib-test-${randomBytes(6).toString('hex')}`;
  const runtime = createRemediationRuntime({
    db: database.db,
    audit,
    slack: createSlackClient('xoxb-remediation-test', { slackApiUrl: slack.apiUrl, retryConfig: { retries: 0 } }),
    connection,
    prefix,
    config: {
      approverUserIds: options.usergroup ? [] : APPROVERS,
      approverUsergroupId: options.usergroup ? 'SAPPROVERS' : undefined,
      planTtlMinutes: 30,
      verifyTimeoutSeconds: options.verifyTimeoutSeconds ?? 5,
      verifyPollMs: 100,
      sweepIntervalMs: 200,
      ...(options.executionLeaseSeconds ? { executionLeaseSeconds: options.executionLeaseSeconds } : {}),
      ...(options.requestTimeoutMs ? { requestTimeoutMs: options.requestTimeoutMs } : {}),
    },
  });
  const investigations = createInvestigationQueue(connection, prefix);
  const server = createServer(
    {
      SLACK_BOT_TOKEN: 'xoxb-remediation-test',
      SLACK_SIGNING_SECRET: options.slackMode === 'socket' ? undefined : SIGNING_SECRET,
      SLACK_APP_TOKEN: options.slackMode === 'socket' ? APP_TOKEN : undefined,
      SLACK_API_URL: slack.apiUrl,
      SLACK_BOT_ID: 'BBOT',
      SLACK_BOT_USER_ID: 'UBOT',
      PAGERDUTY_WEBHOOK_SECRETS: ['unused'],
      ALERTMANAGER_TOKEN: undefined,
    },
    { db: database.db, audit, queue: investigations },
    {
      processBeforeResponse: true,
      logLevel: LogLevel.ERROR,
      register: [(app) => registerRemediationListeners(app, runtime.approvalDeps)],
    },
  );
  const port = await server.start(0);
  const executors = options.executor === false ? [] : [runtime.startExecutor(sim.kubeConfig, clusterConfigs)];
  const incident = await database.db.incident.create({
    data: {
      source: 'alertmanager',
      externalId: `remediation-${randomBytes(4).toString('hex')}`,
      title: 'KubeDeploymentRolloutStuck',
      alert: { source: 'alertmanager', title: 'KubeDeploymentRolloutStuck' },
      slackChannel: CHANNEL,
      slackThreadTs: THREAD_TS,
    },
  });
  const kube = new KubeObjects(sim.kubeConfig);
  const door =
    server.slackMode === 'socket'
      ? socketDoor(slack)
      : httpDoor(`http://127.0.0.1:${port}/slack/events`, SIGNING_SECRET);

  const stack = {
    db: database.db,
    slack,
    sim,
    simB,
    kube,
    incidentId: incident.id,
    databaseUrl: database.url,
    prefix,

    /** Starts an executor in this process, on the simulated cluster's credentials. */
    startExecutor() {
      executors.push(runtime.startExecutor(sim.kubeConfig));
    },

    async propose(
      action: PlanAction,
      summary = 'Fix the rollout',
      ttlMinutes = 30,
      cluster?: 'a' | 'b',
    ): Promise<string> {
      const result = await proposePlan(
        { ...runtime.proposeDeps(clusterConfigs.get(cluster ?? 'a') ?? sim.kubeConfig), ttlMinutes },
        {
          incidentId: incident.id,
          ...(cluster ? { cluster } : {}),
          proposal: { summary, action },
          requestedBy: REQUESTER,
          slackChannel: CHANNEL,
          slackThreadTs: THREAD_TS,
        },
      );
      if (!('planId' in result)) throw new Error(`plan refused: ${result.refused}`);
      return result.planId;
    },

    /** Delivers an interaction payload as Slack does in the stack's mode (a signed POST, or a Socket Mode envelope). */
    interact: (payload: Record<string, unknown>): Promise<number> => door.interaction(payload),

    /** Submits the reject-reason modal the Reject button opened, as Slack sends a view_submission. */
    submitRejectReason(privateMetadata: string, userId: string, reason: string): Promise<number> {
      return stack.interact({
        type: 'view_submission',
        team: { id: 'T0FAKE', domain: 'fake' },
        user: { id: userId, username: userId.toLowerCase(), team_id: 'T0FAKE' },
        api_app_id: 'A0FAKE',
        token: 'legacy',
        trigger_id: 'trigger-2',
        view: {
          id: 'V1',
          type: 'modal',
          callback_id: 'remediation.reject-reason',
          private_metadata: privateMetadata,
          state: { values: { reason: { 'reason-input': { type: 'plain_text_input', value: reason } } } },
          hash: 'h',
        },
      });
    },

    click(planId: string, userId: string, button: 'approve' | 'reject'): Promise<number> {
      const plan = slack
        .callsTo('chat.postMessage')
        .find((call) => JSON.stringify(call.args.blocks ?? '').includes(planId));
      return stack.interact(
        buttonClickPayload({
          userId,
          channel: CHANNEL,
          messageTs: String(plan?.args.ts ?? '1.1'),
          responseUrl: slack.responseUrl(),
          actionId: button === 'approve' ? 'remediation.approve' : 'remediation.reject',
          blockId: `plan-${planId}-v1-actions`,
          text: button === 'approve' ? 'Approve' : 'Reject',
          value: planId,
        }),
      );
    },

    plan(planId: string): Promise<Plan> {
      return database.db.plan.findUniqueOrThrow({ where: { id: planId } });
    },

    /** Polls the plan until it leaves the given statuses. */
    async settled(
      planId: string,
      moving: Plan['status'][] = ['approved', 'executing'],
      timeoutMs = 30_000,
    ): Promise<Plan> {
      return until(
        `plan ${planId} to leave ${moving.join('/')}`,
        async () => {
          const plan = await stack.plan(planId);
          return moving.includes(plan.status) ? undefined : plan;
        },
        timeoutMs,
      );
    },

    /** Every request the simulated API server answered, through its public /_sim/requests endpoint. */
    async requests(of = sim): Promise<SimRequest[]> {
      const response = await fetch(`${of.kubeApiUrl}/_sim/requests`);
      return (await response.json()) as SimRequest[];
    },

    /** Writes other than the test's own (sent with fieldManager=someone-else), split into dry runs and real ones. */
    async executorWrites(): Promise<{ dryRuns: SimRequest[]; applied: SimRequest[] }> {
      const writes = (await stack.requests()).filter(
        (request) => request.method !== 'GET' && request.query.fieldManager !== OTHER_MANAGER,
      );
      return {
        dryRuns: writes.filter((request) => request.query.dryRun === 'All'),
        applied: writes.filter((request) => request.query.dryRun !== 'All'),
      };
    },

    auditActions: async (): Promise<string[]> =>
      (await database.db.auditEvent.findMany({ where: { incidentId: incident.id }, orderBy: { seq: 'asc' } })).map(
        (event) => event.action,
      ),

    async close(): Promise<void> {
      for (const executor of executors) await executor.close();
      await runtime.queue.close();
      await server.stop();
      await investigations.close();
      await sim.close();
      await simB?.close();
      await slack.close();
      await database.drop();
    },
  };
  return stack;
}

export type Stack = Awaited<ReturnType<typeof startStack>>;

/** Runs `incident-bot <args>` (src/cli/main.ts) against a database, as an operator would. */
export function runCli(args: string[], databaseUrl: string): Promise<CliRun> {
  return runCliProcess(args, 'main', { ...process.env, DATABASE_URL: databaseUrl });
}
