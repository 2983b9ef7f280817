import { KubeConfig } from '@kubernetes/client-node';
import type { Worker } from 'bullmq';
import { agentConfigFrom } from './agent/config.ts';
import { ChainKey } from './audit/chain-key.ts';
import { parseCheckpointSink } from './audit/checkpoint-sink.ts';
import { type Checkpointer, startCheckpoints } from './audit/checkpointer.ts';
import { PostgresAuditLog } from './audit/postgres-audit-log.ts';
import {
  type ClustersFile,
  ClustersFileError,
  clusterNames,
  loadClusterKubeConfig,
  readClustersFile,
} from './config/clusters.ts';
import { type Config, ConfigError, loadConfig } from './config/env.ts';
import { createServer } from './http/server.ts';
import { warmUpIntake } from './intake/warm-up.ts';
import { within } from './http/unavailable.ts';
import { log, maskInLogs, slackLogger, withLogLines } from './observability/logger.ts';
import { startMetricsServer } from './observability/metrics-server.ts';
import { createInvestigationQueue, DEFAULT_RETRY, type InvestigationQueue } from './queue/investigation-queue.ts';
import {
  createRemediationRuntime,
  executorCredentialsAvailable,
  loadExecutorKubeConfig,
  proposeAfterAnswer,
  remediationConfigFrom,
} from './remediation/runtime.ts';
import { registerRemediationListeners } from './remediation/slack-listeners.ts';
import { createFollowUpRuntime, pagerDutyApiFrom } from './pagerduty/runtime.ts';
import { KubeObjects } from './remediation/kube-objects.ts';
import { createSlackClient } from './slack/client.ts';
import { createDb, openConnections, poolOf } from './store/db.ts';
import { createUiHandler } from './ui/routes.ts';
import { uiSettingsFrom } from './ui/settings.ts';
import { type ClusterReadAccess, startInvestigationWorker } from './worker/investigation-worker.ts';
import { startRequeueSweep } from './worker/requeue-unstarted.ts';
import { warmUpEngine } from './worker/warm-up.ts';

/** The investigator's read-only credentials: KUBECONFIG if set, else ~/.kube/config, else the pod's ServiceAccount. */
function investigatorKubeConfig(config: Pick<Config, 'KUBECONFIG'>): KubeConfig {
  const kubeConfig = new KubeConfig();
  if (config.KUBECONFIG) kubeConfig.loadFromFile(config.KUBECONFIG);
  else kubeConfig.loadFromDefault();
  return kubeConfig;
}

/** The configured credentials, masked in every log line should one ever be printed (e.g. inside an error). */
function secretValues(config: Config): (string | undefined)[] {
  const databasePassword = decodeURIComponent(new URL(config.DATABASE_URL).password) || undefined;
  const redisPassword = decodeURIComponent(new URL(config.REDIS_URL).password) || undefined;
  return [
    config.SLACK_BOT_TOKEN,
    config.SLACK_SIGNING_SECRET,
    config.SLACK_APP_TOKEN,
    config.ALERTMANAGER_TOKEN,
    ...(config.PAGERDUTY_WEBHOOK_SECRETS ?? []),
    config.PAGERDUTY_API_TOKEN,
    config.OPENAI_API_KEY,
    config.AUDIT_HMAC_KEY,
    ...(config.AUDIT_HMAC_KEYS ?? []).map((key) => key.secret),
    config.OIDC_CLIENT_SECRET,
    config.UI_SESSION_SECRET,
    databasePassword,
    redisPassword,
  ];
}

function readConfig(): { config: Config; clusters: ClustersFile | undefined } {
  try {
    const config = loadConfig();
    return { config, clusters: config.CLUSTERS_FILE ? readClustersFile(config.CLUSTERS_FILE) : undefined };
  } catch (error) {
    if (!(error instanceof ConfigError) && !(error instanceof ClustersFileError)) throw error;
    process.stderr.write(
      `${error.message}\n\nSee .env.example for every variable, README "Many clusters" for CLUSTERS_FILE.\n`,
    );
    process.exit(1);
  }
}

/** Each configured cluster's read-only access (worker): its own kubeconfig/context and Prometheus. */
function clusterReadAccess(config: Config, clusters: ClustersFile): Map<string, ClusterReadAccess> {
  return new Map(
    clusters.clusters.map((cluster) => {
      const kubeConfig = loadClusterKubeConfig(cluster.name, cluster.kubeconfig, cluster.context, () =>
        investigatorKubeConfig(config),
      );
      // PROMETHEUS_URL belongs to the process's own cluster: never read for a cluster with credentials of its own.
      const prometheusUrl = cluster.prometheusUrl ?? (cluster.kubeconfig ? undefined : config.PROMETHEUS_URL);
      return [cluster.name, { kubeConfig, ...(prometheusUrl ? { prometheusUrl } : {}) }];
    }),
  );
}

/** Each configured cluster's executor credentials (executor role); a cluster without any is left out (its plans fail). */
function clusterExecutorAccess(config: Config, clusters: ClustersFile): Map<string, KubeConfig> {
  return new Map(
    clusters.clusters
      .filter((cluster) => cluster.executorKubeconfig || !cluster.kubeconfig)
      .map((cluster) => [
        cluster.name,
        loadClusterKubeConfig(cluster.name, cluster.executorKubeconfig, cluster.executorContext, () =>
          loadExecutorKubeConfig(config.EXECUTOR_KUBECONFIG),
        ),
      ]),
  );
}

/** What every process role shares: the database, the audit log, Slack, and the remediation and follow-up runtimes. */
type Core = ReturnType<typeof createCore>;

function createCore(config: Config, clusters: ClustersFile | undefined) {
  const db = createDb(config.DATABASE_URL, config.DATABASE_POOL_SIZE, { keepOpen: true });
  const chainKey = new ChainKey(config.AUDIT_HMAC_KEYS ?? config.AUDIT_HMAC_KEY);
  if (!chainKey.keyed)
    log.warn(
      'no AUDIT_HMAC_KEYS or AUDIT_HMAC_KEY: the audit chain is not tamper-evident against a database superuser',
    );
  const ledger = new PostgresAuditLog(db, chainKey);
  const audit = withLogLines(ledger);
  const connection = { url: config.REDIS_URL, maxRetriesPerRequest: null };
  const slack = createSlackClient(config.SLACK_BOT_TOKEN, {
    ...(config.SLACK_API_URL ? { slackApiUrl: config.SLACK_API_URL } : {}),
    logger: slackLogger(),
  });
  const remediationConfig = remediationConfigFrom(config);
  const remediation = createRemediationRuntime({
    db,
    audit,
    slack,
    connection,
    prefix: config.QUEUE_PREFIX,
    config: remediationConfig,
  });
  const pagerDutyApi = pagerDutyApiFrom(config);
  const followUp = createFollowUpRuntime({
    db,
    audit,
    slack,
    connection,
    prefix: config.QUEUE_PREFIX,
    pagerDuty: pagerDutyApi,
    approvers: remediation.approvalDeps.approvers,
  });
  if (remediationConfig.approverUserIds.length === 0 && !remediationConfig.approverUsergroupId) {
    log.warn('no APPROVER_USER_IDS or APPROVER_USERGROUP_ID: nobody can approve remediation plans');
  }
  return {
    config,
    clusters,
    db,
    chainKey,
    ledger,
    audit,
    connection,
    slack,
    remediationConfig,
    remediation,
    pagerDutyApi,
    followUp,
  };
}

/** The web role: Slack and PagerDuty/Alertmanager intake, the audit pages, and the audit checkpoints. */
async function startWeb(core: Core, queue: InvestigationQueue) {
  const { config, clusters, db, audit, chainKey, slack, remediation, followUp } = core;
  const sink = config.AUDIT_CHECKPOINT_SINK
    ? parseCheckpointSink(config.AUDIT_CHECKPOINT_SINK, {
        client: () => slack,
        incidentChannel: config.INCIDENT_CHANNEL,
      })
    : null;
  const uiSettings = uiSettingsFrom(config);
  const server = createServer(
    config,
    {
      db,
      audit,
      queue,
      groupingWindowMs: config.ALERT_GROUPING_WINDOW_SECONDS * 1000,
      ...(clusters ? { clusters: clusterNames(clusters) } : {}),
    },
    {
      register: [(app) => registerRemediationListeners(app, remediation.approvalDeps), followUp.register],
      logger: slackLogger(),
      ...(uiSettings && {
        ui: createUiHandler({
          db,
          audit,
          chainKey,
          checkpoints: sink,
          settings: uiSettings,
          onError: (err) => log.error({ err }, 'audit page failed'),
        }),
      }),
    },
  );
  if (uiSettings) log.info({ signIn: uiSettings.auth.mode }, 'audit pages at /ui');
  let checkpoints: Checkpointer | undefined;
  if (sink) {
    checkpoints = startCheckpoints({
      db,
      key: chainKey,
      sink,
      intervalMs: config.AUDIT_CHECKPOINT_SECONDS * 1000,
      everyRows: config.AUDIT_CHECKPOINT_ROWS,
      onError: (err) => log.error({ err, sink: sink.description }, 'audit checkpoint failed'),
    });
  } else log.warn('no AUDIT_CHECKPOINT_SINK: deleting the newest audit rows cannot be detected');
  // Before listening (so before /readyz answers): a burst right after a deploy or a restart finds the intake warm.
  await within(warmUpIntake({ db, audit: core.ledger, queue }), WARM_UP_MS, 'postgres or redis').catch((err: Error) =>
    log.warn({ err }, 'intake warm-up did not finish; the first webhooks pay for it'),
  );
  const port = await server.start(config.PORT);
  log.info(
    { port, slackMode: server.slackMode },
    server.slackMode === 'socket'
      ? 'web listening; Slack over Socket Mode (connected)'
      : 'web listening; Slack at POST /slack/events',
  );
  return { server, checkpoints };
}

/** The worker role: investigations, then plans proposed after an answer, and the PagerDuty write-back. */
async function startWorker(core: Core, queue: InvestigationQueue | undefined) {
  const { config, clusters, db, audit, slack, connection, remediation, followUp, pagerDutyApi } = core;
  const agent = agentConfigFrom(config);
  const kubeConfig = investigatorKubeConfig(config);
  const access = clusters ? clusterReadAccess(config, clusters) : undefined;
  if (access) log.info({ clusters: [...access.keys()] }, 'clusters configured (CLUSTERS_FILE)');
  // A plan is derived from its own cluster, with that cluster's read-only credentials.
  const propose = proposeAfterAnswer(remediation.proposeDeps(kubeConfig), (cluster) => {
    const own = access?.get(cluster)?.kubeConfig;
    return own ? new KubeObjects(own) : undefined;
  });
  // Before the first job: the first investigations after a start would otherwise pay for compiling the engine.
  await within(warmUpEngine(), WARM_UP_MS, 'engine warm-up').catch((err: Error) =>
    log.warn({ err }, 'engine warm-up did not finish; the first investigations pay for it'),
  );
  const worker = startInvestigationWorker(
    connection,
    {
      db,
      audit,
      slack,
      kubeConfig,
      ...(config.PROMETHEUS_URL ? { prometheusUrl: config.PROMETHEUS_URL } : {}),
      ...(access ? { clusters: access } : {}),
      ...(queue ? { queue } : {}),
      incidentChannel: config.INCIDENT_CHANNEL,
      afterAnswer: async (answered) => {
        await followUp.afterAnswer(answered);
        await propose(answered);
      },
      ...(agent ? { agent } : {}),
    },
    {
      concurrency: config.WORKER_CONCURRENCY,
      prefix: config.QUEUE_PREFIX,
      lockDurationMs: config.JOB_LOCK_SECONDS * 1000,
      stalledIntervalMs: config.JOB_LOCK_SECONDS * 1000,
    },
  );
  worker.on('failed', (job, err) =>
    log.error({ incidentId: job?.data.incidentId, jobId: job?.id, err }, 'investigation attempt failed'),
  );
  await worker.waitUntilReady();
  // An incident accepted whose job was never added (its web process stopped right after answering) is queued.
  if (queue) {
    const stopSweep = startRequeueSweep({ db, audit, queue }, (err) => log.error({ err }, 'requeue sweep failed'));
    worker.on('closed', stopSweep);
  }
  log.info({ concurrency: config.WORKER_CONCURRENCY }, 'worker started');
  const writeBack = followUp.startWorker();
  writeBack?.on('failed', (job, err) => log.warn({ jobId: job?.id, err }, 'PagerDuty write-back attempt failed'));
  if (writeBack) log.info({ apiUrl: pagerDutyApi?.apiUrl }, 'PagerDuty write-back on (notes, Acknowledge/Resolve)');
  return { worker, writeBack };
}

/** The executor role: approved remediation plans, with write credentials only this role holds. */
async function startExecutor({ config, clusters, remediation }: Core): Promise<Worker> {
  const executor = clusters
    ? remediation.startExecutor(undefined, clusterExecutorAccess(config, clusters))
    : remediation.startExecutor();
  executor.on('failed', (job, err) =>
    log.error({ planId: job?.data.planId, jobId: job?.id, err }, 'remediation failed'),
  );
  await executor.waitUntilReady();
  log.info('executor started (approved remediation plans)');
  return executor;
}

/** How long a process waits at start for its database connections before going on without them. */
const CONNECT_AT_START_MS = 10_000;
/** How long a role waits for its warm-up (warmUpIntake, warmUpEngine) before going on without it. */
const WARM_UP_MS = 10_000;

async function main(): Promise<void> {
  const { config, clusters } = readConfig();
  log.level = config.LOG_LEVEL;
  maskInLogs(secretValues(config));
  const core = createCore(config, clusters);
  const { db, remediation, followUp } = core;
  const runsWeb = config.ROLE === 'all' || config.ROLE === 'web';
  const runsWorker = config.ROLE === 'all' || config.ROLE === 'worker';
  // Only ROLE=executor (its own pod and ServiceAccount) or a dev ROLE=all with EXECUTOR_KUBECONFIG holds write credentials.
  const runsExecutor =
    config.ROLE === 'executor' ||
    (config.ROLE === 'all' &&
      (executorCredentialsAvailable(core.remediationConfig) ||
        Boolean(clusters?.clusters.some((cluster) => cluster.executorKubeconfig))));

  // Connected before anything says ready: a burst right after a start (a deploy, a restart) does not wait for them.
  await within(openConnections(db), CONNECT_AT_START_MS, 'postgres').catch((err: Error) =>
    log.warn({ err }, 'could not open every database connection at start; they open when first needed'),
  );
  const metrics = await startMetricsServer(config.METRICS_PORT, {
    // The pool's own connections, as /readyz on the web port asks them: no Prisma engine woken for a probe.
    postgres: () => poolOf(db).query('SELECT 1'),
    redis: async () => (await remediation.queue.queue.backend.client).runCommand('ping', []),
  });
  log.info({ port: metrics.port }, 'metrics, health and readiness listening (/metrics, /healthz, /readyz)');

  const retry = { ...DEFAULT_RETRY, windowMs: config.INVESTIGATION_RETRY_SECONDS * 1000 };
  // The web role queues alerts; the worker queues a new round for a related alert its answer does not explain.
  const queue: InvestigationQueue | undefined =
    runsWeb || runsWorker ? createInvestigationQueue(core.connection, config.QUEUE_PREFIX, retry) : undefined;
  const web = runsWeb && queue ? await startWeb(core, queue) : undefined;
  const worker = runsWorker ? await startWorker(core, queue) : undefined;
  const executor = runsExecutor ? await startExecutor(core) : undefined;

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'stopping (active investigations finish first)');
    await web?.server.stop();
    await web?.checkpoints?.stop();
    // Waits for active jobs; a job still running when the pod is killed is retried elsewhere after its lock lapses.
    await worker?.worker.close();
    await worker?.writeBack?.close();
    await followUp.close();
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
  log.fatal({ err: error }, 'incident-bot failed to start');
  process.exit(1);
});
