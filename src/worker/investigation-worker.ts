import type { KubeConfig } from '@kubernetes/client-node';
import type { webApi } from '@slack/bolt';
import { type ConnectionOptions, type Job, UnrecoverableError, Worker } from 'bullmq';
import type { AgentConfig } from '../agent/config.ts';
import { investigateIncident } from '../agent/investigate-with-agent.ts';
import { type Alert, AlertSchema } from '../alert/alert.ts';
import { parseStored } from '../store/stored-json.ts';
import { reconsiderRelatedAlerts } from '../intake/related-alerts.ts';
import type { AuditLog } from '../audit/audit-log.ts';
import { DeferredAudit } from '../audit/deferred-audit.ts';
import type { Incident, IncidentAlert, Investigation, PrismaClient } from '../generated/prisma/client.ts';
import { type InvestigationResult, type Progress, refKey } from '../investigation/model.ts';
import {
  firstHypothesisTimer,
  investigationRequests,
  investigationTaken,
  investigationTimer,
} from '../observability/metrics.ts';
import { INVESTIGATION_QUEUE, type InvestigationJob, type InvestigationQueue } from '../queue/investigation-queue.ts';
import { answerMessage } from '../slack/answer-blocks.ts';
import { entityLabel } from '../investigation/model.ts';
import { FindingReplies } from '../slack/finding-replies.ts';
import { escapeMrkdwn } from '../slack/mrkdwn.ts';
import { showRelatedAlerts } from '../slack/related-alerts.ts';
import { IncidentThread, postRoot, StatusMessage } from '../slack/thread.ts';
import { VisibleState } from '../slack/visible-state.ts';
import {
  alertOfRound,
  beginInvestigation,
  failInvestigation,
  finishInvestigation,
  findIncident,
  saveResult,
  saveStatusTs,
  saveThread,
} from '../store/incidents.ts';
import { errorMessage } from '../observability/error-message.ts';

export interface InvestigationWorkerDeps {
  db: PrismaClient;
  audit: AuditLog;
  slack: webApi.WebClient;
  /** The investigator's read-only credentials (the zero-config single cluster's). */
  kubeConfig: KubeConfig;
  prometheusUrl?: string;
  /** Every configured cluster's read-only credentials and Prometheus, by name (CLUSTERS_FILE). */
  clusters?: ReadonlyMap<string, ClusterReadAccess>;
  /** Set: related alerts the answer does not explain are queued as a new round (alert storms). */
  queue?: InvestigationQueue;
  incidentChannel: string;
  /** Minimum time between two edits of the status reply. */
  statusIntervalMs?: number;
  /** Set when a model is configured (OPENAI_API_KEY): the LLM agent checks the engine's answer. */
  agent?: AgentConfig;
  /** Runs once the answer is posted (e.g. proposing a remediation plan in the thread). */
  afterAnswer?: (answer: {
    incident: Incident;
    investigationId: string;
    result: InvestigationResult;
    thread: IncidentThread;
  }) => Promise<void>;
}

export interface ClusterReadAccess {
  kubeConfig: KubeConfig;
  prometheusUrl?: string;
}

/** The incident's cluster, read with that cluster's credentials only; one not configured here is never guessed. */
function clusterOf(deps: InvestigationWorkerDeps, incident: Incident): ClusterReadAccess {
  if (incident.cluster === null)
    return { kubeConfig: deps.kubeConfig, ...(deps.prometheusUrl ? { prometheusUrl: deps.prometheusUrl } : {}) };
  const access = deps.clusters?.get(incident.cluster);
  if (!access)
    throw new UnrecoverableError(
      `cluster "${incident.cluster}" is not configured in this worker (CLUSTERS_FILE names ${[...(deps.clusters?.keys() ?? [])].join(', ') || 'none'})`,
    );
  return access;
}

/** The alert as stored. One that no longer validates never will: BullMQ must not retry it (UnrecoverableError). */
function storedAlert(value: unknown, incidentId: string): Alert {
  try {
    return parseStored(AlertSchema, value, `incident ${incidentId}: its alert`);
  } catch (error) {
    throw new UnrecoverableError(errorMessage(error));
  }
}

/** What the first status line says: a retry, the alert back after a resolution, or a related alert left unexplained. */
function firstStatus(incident: Incident, attempts: number, starter: IncidentAlert | null): string {
  if (attempts > 1) return `:repeat: Investigating again (attempt ${attempts})…`;
  if (starter && !starter.primary)
    return `:rotating_light: Related alert "${escapeMrkdwn(starter.title)}" is not explained by the previous answer (${escapeMrkdwn(starter.explanation ?? 'not on its path')}): investigating it (round ${incident.round})…`;
  if (incident.round > 1)
    return `:rotating_light: The alert fired again after it was resolved (round ${incident.round}): investigating…`;
  return ':mag: Investigating…';
}

function progressText(progress: Progress): string | null {
  switch (progress.type) {
    case 'step':
      return `:mag: ${progress.message}`;
    case 'hypothesis': {
      const { hypothesis, change } = progress;
      return `:thinking_face: Hypothesis ${change}: ${entityLabel(hypothesis.entity)} (${Math.round(hypothesis.confidence * 100)}%) — ${hypothesis.summary}`;
    }
    case 'done':
      return null;
  }
}

/** Reuses the incident's thread (a retry, a /diagnose) or opens exactly one in the incident channel. */
async function ensureThread(
  deps: InvestigationWorkerDeps,
  visible: VisibleState,
  incident: Incident,
): Promise<IncidentThread> {
  let stored = incident;
  if (!stored.slackThreadTs || !stored.slackChannel) {
    const ts = await postRoot(visible, stored, deps.incidentChannel);
    stored = await saveThread(deps.db, stored.id, deps.incidentChannel, ts);
  }
  return new IncidentThread(visible, stored.id, stored.slackChannel!, stored.slackThreadTs!);
}

export interface InvestigationJobRun {
  incidentId: string;
  jobId: string;
  attempt: number;
  attempts: number;
}

/** What one attempt holds from `begin` to `complete` or `fail`. */
interface Attempt {
  job: InvestigationJobRun;
  incident: Incident;
  investigation: Investigation;
  /** The alert that started this round (null: the incident's own). */
  starter: IncidentAlert | null;
  /** The investigation's own events (reads, hypotheses, the decision): appended without waiting, settled before shown. */
  events: DeferredAudit;
  visible: VisibleState;
  thread: IncidentThread;
  status: StatusMessage;
  findings: FindingReplies;
  ended: ReturnType<typeof investigationTimer>;
  hypothesisSeen: () => void;
}

/**
 * One attempt at one incident's investigation, in BullMQ's phases: begin (thread and status reply), the
 * investigation, then complete or fail. Safe to re-run after a crash: the thread, the status reply and the final
 * answer are each recorded once posted and reused, so a retry edits, never repeats. An aborted `signal` (the job
 * cancelled) stops the investigation at its next step and ends the job for good: a cancel is not retried.
 */
export async function runInvestigation(
  deps: InvestigationWorkerDeps,
  job: InvestigationJobRun,
  signal?: AbortSignal,
): Promise<void> {
  const attempt = await begin(deps, job);
  if (!attempt) return;
  try {
    const result = await investigateAttempt(deps, attempt, signal);
    await complete(deps, attempt, result);
  } catch (error) {
    const failure = signal?.aborted ? new InvestigationCancelled(signal.reason) : error;
    await fail(deps, attempt, failure);
    throw failure;
  }
}

/**
 * The job was cancelled on its worker (Worker.cancelJob): someone decided it should stop, so it is not retried
 * (an UnrecoverableError, as BullMQ's cancelling guide has it). The same alert arriving again runs it again.
 */
export class InvestigationCancelled extends UnrecoverableError {
  constructor(reason: unknown) {
    super(`cancelled: ${reason === undefined ? 'no reason given' : errorMessage(reason)}`);
  }
}

/** Records the start, opens (or reuses) the thread and the status reply. Null when the incident was already answered. */
async function begin(deps: InvestigationWorkerDeps, job: InvestigationJobRun): Promise<Attempt | null> {
  const incident = await findIncident(deps.db, job.incidentId);
  if (!incident) throw new UnrecoverableError(`incident ${job.incidentId} does not exist`);
  const investigation = await beginInvestigation(deps.db, incident.id, job.jobId);
  await deps.audit.record({
    actor: 'worker',
    action: 'investigation.started',
    target: job.jobId,
    incidentId: incident.id,
    details: { attempt: job.attempt, investigationId: investigation.id },
  });
  if (investigation.finalTs) {
    await deps.audit.record({
      actor: 'worker',
      action: 'investigation.already_answered',
      target: job.jobId,
      incidentId: incident.id,
      details: { finalTs: investigation.finalTs },
    });
    return null;
  }
  const events = new DeferredAudit(deps.audit);
  const visible = new VisibleState({ ...deps, deferredAudit: events });
  // Moved before the thread is opened, the root message is posted saying so, rather than posted and then edited.
  const moved = await visible.setIncidentStatus(incident.id, 'investigating');
  const thread = await ensureThread(deps, visible, moved ?? incident);
  // The row counts every start, including ones BullMQ does not (a worker killed mid-job is a stall, not a failure).
  const starter = await alertOfRound(deps.db, incident);
  const statusTs = await postFirstStatus(
    deps,
    thread,
    investigation,
    firstStatus(incident, investigation.attempts, starter),
  );
  const status = new StatusMessage(thread, statusTs, deps.statusIntervalMs);
  // Alerts of its storm may have joined before the thread existed.
  await showRelatedAlerts(visible, deps, incident.id).catch(() => undefined);
  const findings = new FindingReplies(thread, investigation.id);
  const ended = investigationTimer();
  const hypothesisSeen = firstHypothesisTimer(incident.createdAt);
  return { job, incident, investigation, starter, events, visible, thread, status, findings, ended, hypothesisSeen };
}

/** Edits the status reply a previous attempt posted, or posts it and records its ts. */
async function postFirstStatus(
  deps: InvestigationWorkerDeps,
  thread: IncidentThread,
  investigation: Investigation,
  text: string,
): Promise<string> {
  if (investigation.statusTs) {
    await thread.edit(investigation.statusTs, { text }, 'status');
    return investigation.statusTs;
  }
  const ts = await thread.reply({ text }, 'status', `${investigation.id}:status`);
  await saveStatusTs(deps.db, investigation.id, ts);
  return ts;
}

async function investigateAttempt(
  deps: InvestigationWorkerDeps,
  attempt: Attempt,
  signal: AbortSignal | undefined,
): Promise<InvestigationResult> {
  const { incident, starter } = attempt;
  const alert = storedAlert(starter?.alert ?? incident.alert, incident.id);
  const cluster = clusterOf(deps, incident);
  return investigateIncident(
    alert,
    {
      kubeConfig: cluster.kubeConfig,
      ...(cluster.prometheusUrl ? { prometheusUrl: cluster.prometheusUrl } : {}),
      audit: attempt.events,
      incidentId: incident.id,
      onProgress: (progress) => reportProgress(attempt, progress),
      onAnswered: investigationRequests,
      ...(signal ? { signal } : {}),
    },
    deps.agent ?? null,
  );
}

/** The status reply, the finding replies and, for a hypothesis, its audit row (the timeline tells them from it). */
async function reportProgress(attempt: Attempt, progress: Progress): Promise<void> {
  const text = progressText(progress);
  if (text) attempt.status.update(text);
  attempt.findings.offer(progress);
  if (progress.type !== 'hypothesis') return;
  attempt.hypothesisSeen();
  const { change, hypothesis, reason } = progress;
  await attempt.events.record({
    actor: 'bot',
    action: 'investigation.hypothesis',
    target: refKey(hypothesis.entity),
    incidentId: attempt.incident.id,
    details: {
      change,
      entity: hypothesis.entity,
      faultType: hypothesis.faultType,
      confidence: hypothesis.confidence,
      summary: hypothesis.summary,
      ...(reason ? { reason } : {}),
    },
  });
}

/** Saves and posts the answer, marks the incident diagnosed, then hands on (plans, related alerts of a storm). */
async function complete(deps: InvestigationWorkerDeps, attempt: Attempt, result: InvestigationResult): Promise<void> {
  const { incident, investigation, visible, thread, status, job } = attempt;
  await saveResult(deps.db, investigation.id, result);
  status.update(`:white_check_mark: Investigation finished — ${result.summary}`);
  await Promise.all([status.flush(), attempt.findings.flush()]);
  const finalTs = await thread.reply(answerMessage(result), 'answer', `${investigation.id}:answer`);
  await finishInvestigation(deps.db, investigation.id, finalTs);
  attempt.ended(result.rootCause ? 'root_cause' : 'no_root_cause');
  await visible.setIncidentStatus(incident.id, 'diagnosed');
  await deps.audit.record({
    actor: 'worker',
    action: 'investigation.finished',
    target: job.jobId,
    incidentId: incident.id,
    details: {
      rootCause: result.rootCause,
      faultType: result.faultType,
      confidence: result.confidence,
      summary: result.summary,
      ...(incident.cluster ? { cluster: incident.cluster } : {}),
    },
  });
  await deps.afterAnswer?.({ incident, investigationId: investigation.id, result, thread });
  if (deps.queue) {
    const queue = deps.queue;
    await reconsiderRelatedAlerts(
      {
        ...deps,
        queue,
        rounds: visible,
        showRelatedAlerts: (id) => void showRelatedAlerts(visible, deps, id).catch(() => undefined),
      },
      incident.id,
    );
  }
}

/** Records the failure and says in the thread whether BullMQ retries (the caller rethrows). */
async function fail(deps: InvestigationWorkerDeps, attempt: Attempt, error: unknown): Promise<void> {
  const { job, investigation, status } = attempt;
  const message = errorMessage(error);
  const last = error instanceof UnrecoverableError || job.attempt >= job.attempts;
  attempt.ended('failed');
  await failInvestigation(deps.db, investigation.id, message);
  status.update(
    error instanceof InvestigationCancelled
      ? `:no_entry_sign: Investigation stopped (${message}); not retried`
      : last
        ? `:x: Investigation failed after ${job.attempt} attempts: ${message}`
        : `:warning: Attempt ${job.attempt} failed (${message}); retrying`,
  );
  await status.flush();
  await deps.audit.record({
    actor: 'worker',
    action: 'investigation.failed',
    target: job.jobId,
    incidentId: attempt.incident.id,
    justification: message,
    details: { attempt: job.attempt, final: last },
  });
}

export interface InvestigationWorkerOptions {
  concurrency: number;
  prefix?: string;
  /** How long a job's lock lives without renewal; a killed worker's job is retried after it lapses. */
  lockDurationMs?: number;
  stalledIntervalMs?: number;
}

/**
 * Whether a worker is taking the job for the first time: its queue wait is then a wait for a worker. BullMQ 6 counts
 * every move to active (`attemptsStarted`, its `ats` field): a retry after a failure, and a job restarted after its
 * worker died (stalled: `attemptsMade` is still 0 then), count as starts too, and their time since the job was queued
 * is backoff or the dead worker's run, not a wait for a worker.
 */
export const firstStart = (job: Pick<Job, 'attemptsStarted'>): boolean => job.attemptsStarted === 1;

/** The BullMQ worker. `close()` waits for active jobs (graceful SIGTERM). */
export function startInvestigationWorker(
  connection: ConnectionOptions,
  deps: InvestigationWorkerDeps,
  options: InvestigationWorkerOptions,
): Worker<InvestigationJob> {
  return new Worker<InvestigationJob>(
    INVESTIGATION_QUEUE,
    // BullMQ passes an AbortSignal third (Worker.cancelJob / cancelAllJobs abort it): the investigation stops.
    (job: Job<InvestigationJob>, _token?: string, signal?: AbortSignal) => {
      if (firstStart(job) && job.processedOn) investigationTaken(job.timestamp, job.processedOn);
      return runInvestigation(
        deps,
        {
          incidentId: job.data.incidentId,
          jobId: job.id!,
          attempt: job.attemptsMade + 1,
          attempts: job.opts.attempts ?? 1,
        },
        signal,
      );
    },
    {
      connection,
      concurrency: options.concurrency,
      // A crashed worker's job counts as stalled, not failed; allow it to be picked up again.
      maxStalledCount: 2,
      ...(options.prefix ? { prefix: options.prefix } : {}),
      ...(options.lockDurationMs ? { lockDuration: options.lockDurationMs } : {}),
      ...(options.stalledIntervalMs ? { stalledInterval: options.stalledIntervalMs } : {}),
    },
  );
}
