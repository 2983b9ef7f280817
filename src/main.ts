import { KubeConfig } from '@kubernetes/client-node';
import { webApi } from '@slack/bolt';
import type { Worker } from 'bullmq';
import { agentConfigFrom } from './agent/config.ts';
import { PostgresAuditLog } from './audit/postgres-audit-log.ts';
import { type Config, ConfigError, loadConfig } from './config/env.ts';
import { createServer, type WebServer } from './http/server.ts';
import { startMetricsServer } from './observability/metrics-server.ts';
import { createInvestigationQueue, DEFAULT_RETRY, type InvestigationQueue } from './queue/investigation-queue.ts';
import {
  createRemediationRuntime,
  executorCredentialsAvailable,
  proposeAfterAnswer,
  remediationConfigFrom,
} from './remediation/runtime.ts';
import { registerRemediationListeners } from './remediation/slack-listeners.ts';
import { createDb } from './store/db.ts';
import { startInvestigationWorker } from './worker/investigation-worker.ts';

/** The investigator's read-only credentials: KUBECONFIG if set, else ~/.kube/config, else the pod's ServiceAccount. */
function investigatorKubeConfig(config: Pick<Config, 'KUBECONFIG'>): KubeConfig {
  const kubeConfig = new KubeConfig();
  if (config.KUBECONFIG) kubeConfig.loadFromFile(config.KUBECONFIG);
  else kubeConfig.loadFromDefault();
  return kubeConfig;
}

function readConfig(): Config {
  try {
    return loadConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\n\nSee .env.example for every variable.\n`);
    process.exit(1);
  }
}

async function main(): Promise<void> {
  const config = readConfig();
  const db = createDb(config.DATABASE_URL);
  const audit = new PostgresAuditLog(db);
  const connection = { url: config.REDIS_URL, maxRetriesPerRequest: null };
  const runsWeb = config.ROLE === 'all' || config.ROLE === 'web';
  const runsWorker = config.ROLE === 'all' || config.ROLE === 'worker';
  const slack = new webApi.WebClient(config.SLACK_BOT_TOKEN, {
    ...(config.SLACK_API_URL ? { slackApiUrl: config.SLACK_API_URL } : {}),
  });
  const remediationConfig = remediationConfigFrom(config);
  // Only ROLE=executor (its own pod and ServiceAccount) or a dev ROLE=all with EXECUTOR_KUBECONFIG holds write credentials.
  const runsExecutor =
    config.ROLE === 'executor' || (config.ROLE === 'all' && executorCredentialsAvailable(remediationConfig));
  const remediation = createRemediationRuntime({
    db,
    audit,
    slack,
    connection,
    prefix: config.QUEUE_PREFIX,
    config: remediationConfig,
  });
  if (remediationConfig.approverUserIds.length === 0 && !remediationConfig.approverUsergroupId) {
    console.warn('no APPROVER_USER_IDS or APPROVER_USERGROUP_ID: nobody can approve remediation plans');
  }

  const metrics = await startMetricsServer(config.METRICS_PORT, {
    postgres: () => db.$queryRaw`SELECT 1`,
    redis: async () => (await remediation.queue.queue.backend.client).runCommand('ping', []),
  });
  console.log(`incident-bot metrics, health and readiness on :${metrics.port} (/metrics, /healthz, /readyz)`);

  let queue: InvestigationQueue | undefined;
  let server: WebServer | undefined;
  if (runsWeb) {
    queue = createInvestigationQueue(connection, config.QUEUE_PREFIX, {
      ...DEFAULT_RETRY,
      windowMs: config.INVESTIGATION_RETRY_SECONDS * 1000,
    });
    server = createServer(
      config,
      { db, audit, queue },
      { register: [(app) => registerRemediationListeners(app, remediation.approvalDeps)] },
    );
    const port = await server.start(config.PORT);
    console.log(
      `incident-bot web listening on :${port}; Slack ${server.slackMode === 'socket' ? 'over Socket Mode (connected)' : 'at POST /slack/events'}`,
    );
  }
  let worker: Worker | undefined;
  if (runsWorker) {
    const agent = agentConfigFrom(config);
    const kubeConfig = investigatorKubeConfig(config);
    worker = startInvestigationWorker(
      connection,
      {
        db,
        audit,
        slack,
        kubeConfig,
        ...(config.PROMETHEUS_URL ? { prometheusUrl: config.PROMETHEUS_URL } : {}),
        incidentChannel: config.INCIDENT_CHANNEL,
        afterAnswer: proposeAfterAnswer(remediation.proposeDeps(kubeConfig)),
        ...(agent ? { agent } : {}),
      },
      {
        concurrency: config.WORKER_CONCURRENCY,
        prefix: config.QUEUE_PREFIX,
        lockDurationMs: config.JOB_LOCK_SECONDS * 1000,
        stalledIntervalMs: config.JOB_LOCK_SECONDS * 1000,
      },
    );
    worker.on('failed', (job, error) => console.error(`investigation ${job?.id} failed: ${error.message}`));
    await worker.waitUntilReady();
    console.log(`incident-bot worker started (concurrency ${config.WORKER_CONCURRENCY})`);
  }

  let executor: Worker | undefined;
  if (runsExecutor) {
    executor = remediation.startExecutor();
    executor.on('failed', (job, error) => console.error(`remediation ${job?.id} failed: ${error.message}`));
    await executor.waitUntilReady();
    console.log('incident-bot executor started (approved remediation plans)');
  }

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal}: stopping (active investigations finish first)`);
    await server?.stop();
    // Waits for active jobs; a job still running when the pod is killed is retried elsewhere after its lock lapses.
    await worker?.close();
    await executor?.close();
    await remediation.queue.close();
    await queue?.close();
    await db.$disconnect();
    await metrics.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

main().catch((error: Error) => {
  console.error(`incident-bot failed to start: ${error.stack ?? error.message}`);
  process.exit(1);
});
