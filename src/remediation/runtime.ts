import { KubeConfig } from '@kubernetes/client-node';
import type { webApi } from '@slack/bolt';
import type { ConnectionOptions } from 'bullmq';
import { AlertSchema } from '../alert/alert.ts';
import { parseStored } from '../store/stored-json.ts';
import type { AuditLog } from '../audit/audit-log.ts';
import type { Config } from '../config/env.ts';
import type { Incident, Plan, PrismaClient } from '../generated/prisma/client.ts';
import type { InvestigationResult } from '../investigation/model.ts';
import { log } from '../observability/logger.ts';
import type { ApprovalDeps } from './approval.ts';
import { Approvers } from './approvers.ts';
import { createExecutionQueue, startExecutionWorker } from './execution-queue.ts';
import { type ExecutorDeps, recoverAbandonedPlans } from './executor.ts';
import { KubeObjects } from './kube-objects.ts';
import { planSpec } from './plan-store.ts';
import { type ProposeDeps, proposePlan } from './propose.ts';
import { publicAction } from './redact.ts';
import { requeueApprovedPlans, sweepPlans } from './sweep.ts';
import { errorMessage } from '../observability/error-message.ts';

export interface RemediationConfig {
  approverUserIds: string[];
  approverUsergroupId?: string;
  planTtlMinutes: number;
  verifyTimeoutSeconds: number;
  /** How often verification polls the cluster (default 1 s). */
  verifyPollMs?: number;
  /** How long an execution's lease lasts unrenewed: a dead executor's plan is taken over after it (default 30 s). */
  executionLeaseSeconds?: number;
  /** How often expired plans are closed and lapsed leases taken over (default half the lease). */
  sweepIntervalMs?: number;
  /** Path of the executor's kubeconfig; unset → the pod's own (executor) ServiceAccount. */
  executorKubeconfig?: string;
  /** How long the executor's reads and writes wait for the API server (default 15 s, as the investigation's). */
  requestTimeoutMs?: number;
}

export interface RemediationRuntimeOptions {
  db: PrismaClient;
  audit: AuditLog;
  slack: webApi.WebClient;
  connection: ConnectionOptions;
  /** BullMQ key prefix (tests use a unique one). */
  prefix?: string;
  config: RemediationConfig;
}

export function remediationConfigFrom(
  config: Pick<
    Config,
    | 'APPROVER_USER_IDS'
    | 'APPROVER_USERGROUP_ID'
    | 'PLAN_TTL_MINUTES'
    | 'VERIFY_TIMEOUT_SECONDS'
    | 'EXECUTOR_KUBECONFIG'
    | 'EXECUTION_LEASE_SECONDS'
  >,
): RemediationConfig {
  return {
    approverUserIds: config.APPROVER_USER_IDS ?? [],
    approverUsergroupId: config.APPROVER_USERGROUP_ID,
    planTtlMinutes: config.PLAN_TTL_MINUTES,
    verifyTimeoutSeconds: config.VERIFY_TIMEOUT_SECONDS,
    executorKubeconfig: config.EXECUTOR_KUBECONFIG,
    executionLeaseSeconds: config.EXECUTION_LEASE_SECONDS,
  };
}

/** Whether this process can reach the executor's credentials (ROLE=all outside a cluster may not). */
export const executorCredentialsAvailable = (config: RemediationConfig): boolean =>
  Boolean(config.executorKubeconfig || process.env.KUBERNETES_SERVICE_HOST);

/**
 * The investigation worker's afterAnswer hook: proposes the answer's remediation as a plan in the
 * thread, for the incident's cluster (`clusterKube`, CLUSTERS_FILE) or the zero-config one (`deps.kube`). It never throws — a plan that cannot be made must not fail (and retry) the investigation.
 */
export function proposeAfterAnswer(deps: ProposeDeps, clusterKube?: (cluster: string) => KubeObjects | undefined) {
  return async (answer: {
    incident: Incident;
    result: InvestigationResult;
    thread: { channel: string; threadTs: string };
  }): Promise<void> => {
    const { incident, result, thread } = answer;
    if (!result.remediation) return;
    const alert = parseStored(AlertSchema, incident.alert, `incident ${incident.id}: its alert`);
    const requestedBy = alert.annotations.requested_by ?? null;
    try {
      // A plan is derived from its own cluster only, with that cluster's read-only credentials.
      const kube = incident.cluster === null ? deps.kube : clusterKube?.(incident.cluster);
      if (!kube) throw new Error(`no credentials for cluster ${incident.cluster} in this worker`);
      await proposePlan(
        { ...deps, kube },
        {
          incidentId: incident.id,
          cluster: incident.cluster,
          proposal: result.remediation,
          requestedBy,
          slackChannel: thread.channel,
          slackThreadTs: thread.threadTs,
        },
      );
    } catch (error) {
      await deps.audit.record({
        actor: 'bot',
        action: 'plan.proposal.failed',
        incidentId: incident.id,
        justification: errorMessage(error),
        details: { action: publicAction(result.remediation.action) },
      });
    }
  };
}

/**
 * The executor's credentials, never the investigator's: EXECUTOR_KUBECONFIG, else the in-cluster
 * ServiceAccount of the executor pod (manifests/rbac-executor.yaml).
 */
export function loadExecutorKubeConfig(path: string | undefined): KubeConfig {
  const kubeConfig = new KubeConfig();
  if (path) kubeConfig.loadFromFile(path);
  else kubeConfig.loadFromCluster();
  return kubeConfig;
}

/**
 * Wires the remediation pieces for the process: what the Slack listeners need (approvalDeps), what
 * the investigation worker calls to propose (proposeDeps), and the executor worker for ROLE=executor
 * (or all). The web process only enqueues; it never holds write credentials.
 */
export function createRemediationRuntime(options: RemediationRuntimeOptions) {
  const { db, audit, slack, connection, prefix, config } = options;
  const queue = createExecutionQueue(connection, prefix);
  const approvalDeps: ApprovalDeps = {
    db,
    audit,
    slack,
    approvers: new Approvers(slack, config.approverUserIds, config.approverUsergroupId),
    enqueueExecution: queue.enqueue,
  };
  const proposeWith = (kube: KubeObjects): ProposeDeps => ({
    db,
    audit,
    slack,
    kube,
    ttlMinutes: config.planTtlMinutes,
  });
  const proposeDeps = (readOnlyKubeConfig: KubeConfig): ProposeDeps => proposeWith(new KubeObjects(readOnlyKubeConfig));
  /**
   * The executor worker: `executorKubeConfig` changes the zero-config single cluster, `clusters` each configured
   * cluster (CLUSTERS_FILE) by name — a plan only ever with its own cluster's credentials.
   */
  const startExecutor = (
    executorKubeConfig: KubeConfig | (() => KubeConfig) = () => loadExecutorKubeConfig(config.executorKubeconfig),
    clusters: ReadonlyMap<string, KubeConfig> = new Map(),
  ) => {
    const objects = (kubeConfig: KubeConfig) => new KubeObjects(kubeConfig, config.requestTimeoutMs);
    const clusterKube = new Map([...clusters].map(([name, kubeConfig]) => [name, objects(kubeConfig)]));
    // With clusters configured, plans name theirs: the zero-config credentials are loaded only when there are none.
    const kube = objects(
      typeof executorKubeConfig === 'function'
        ? clusters.size > 0
          ? new KubeConfig()
          : executorKubeConfig()
        : executorKubeConfig,
    );
    const repropose = async (stale: Plan) => {
      const spec = planSpec(stale);
      const own = stale.cluster === null ? kube : clusterKube.get(stale.cluster);
      if (!own) return;
      await proposePlan(proposeWith(own), {
        incidentId: stale.incidentId,
        cluster: stale.cluster,
        proposal: { summary: spec.summary, action: spec.action },
        requestedBy: stale.requestedBy,
        slackChannel: stale.slackChannel ?? '',
        slackThreadTs: stale.slackThreadTs,
        origin: stale.id,
      });
    };
    const leaseMs = (config.executionLeaseSeconds ?? 30) * 1000;
    const executorDeps: ExecutorDeps = {
      db,
      audit,
      slack,
      kube,
      clusters: clusterKube,
      verifyTimeoutMs: config.verifyTimeoutSeconds * 1000,
      pollIntervalMs: config.verifyPollMs,
      repropose,
      leaseMs,
    };
    const worker = startExecutionWorker(connection, executorDeps, prefix);
    // One round at a time: a recovery verifies (up to VERIFY_TIMEOUT_SECONDS) while the timer keeps ticking.
    let sweeping = false;
    const sweep = setInterval(
      () => {
        if (sweeping) return;
        sweeping = true;
        void Promise.allSettled([
          sweepPlans({ db, audit, slack }),
          requeueApprovedPlans({ db, audit, requeue: queue.requeue }, new Date()),
          recoverAbandonedPlans(executorDeps),
        ]).then((results) => {
          for (const result of results)
            if (result.status === 'rejected') log.error({ err: result.reason }, 'remediation sweep failed');
          sweeping = false;
        });
      },
      config.sweepIntervalMs ?? leaseMs / 2,
    );
    sweep.unref();
    worker.on('closed', () => clearInterval(sweep));
    return worker;
  };
  return { approvalDeps, proposeDeps, startExecutor, queue };
}
