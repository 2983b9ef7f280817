import type pg from 'pg';
import type { Alert } from '../alert/alert.ts';
import { groupingKey } from '../alert/grouping.ts';
import { type ClusterNames, routeCluster } from '../alert/route-cluster.ts';
import type { AuditEntry, TransactionalAuditLog } from '../audit/audit-log.ts';
import { HOLD_CHECKPOINTS } from '../audit/postgres-audit-log.ts';
import type { Incident, PrismaClient } from '../generated/prisma/client.ts';
import { errorMessage } from '../observability/error-message.ts';
import { alertReceived } from '../observability/metrics.ts';
import { type InvestigationQueue, investigationJobId } from '../queue/investigation-queue.ts';
import type { VisibleState } from '../slack/visible-state.ts';
import { inTransaction, poolOf } from '../store/db.ts';
import {
  findIncident,
  findIncidentOrThrow,
  type IncidentState,
  incidentKey,
  markRoundStarter,
  openIncident,
  placeAloneResult,
  placeAloneSql,
  placedAlone,
  refireAlert,
  saveThread,
} from '../store/incidents.ts';
import { cleanAlert, describeChanges } from './clean-text.ts';
import { reconsiderRelatedAlerts } from './related-alerts.ts';

/** How long after an incident's newest alert another alert of its storm still joins it (ALERT_GROUPING_WINDOW_SECONDS). */
export const DEFAULT_GROUPING_WINDOW_MS = 600_000;

export interface IntakeDeps {
  db: PrismaClient;
  audit: TransactionalAuditLog;
  queue: InvestigationQueue;
  /** Alerts of one storm join its open incident within this window; 0 turns grouping off (default 10 min). */
  groupingWindowMs?: number;
  /** The clusters configured (CLUSTERS_FILE); absent: the zero-config single cluster. */
  clusters?: ClusterNames;
  /** Shows the incident's related alerts in its thread; the webhook does not wait for Slack. */
  showRelatedAlerts?(incidentId: string): void;
  /** Starts the round a related alert the answer does not explain needs; without it, the worker does after its answer. */
  rounds?: Pick<VisibleState, 'investigateAgain'>;
}

export interface OpenedInvestigation {
  incidentId: string;
  jobId: string | null;
  duplicate: boolean;
  /** The alert joined the open incident of its storm (a "related alert" in that thread) instead of opening one. */
  joined?: boolean;
  /** The cluster the alert was routed to (when CLUSTERS_FILE is set). */
  cluster?: string;
  /** What had to change in the alert's text to store it (NUL bytes, unpaired surrogates); absent when nothing. */
  cleaned?: string;
}

/** The alert names a cluster this deployment does not serve (or none, with no default): refused, never guessed. */
export class UnknownClusterError extends Error {
  override readonly name = 'UnknownClusterError';
}

type Thread = { channel: string; ts: string };

export interface OpenOptions {
  /** The thread the door already has (an @mention's), or how to open one once the incident is new (/diagnose). */
  thread?: Thread | ((incident: Incident) => Promise<Thread>);
  /**
   * The source says the alert fires again (a firing Alertmanager group, PagerDuty incident.reopened): a resolved
   * incident is reopened through this (its status, audit event and root message) and investigated again in its
   * thread. Without it, a resolved incident stays closed.
   */
  reopen?: Pick<VisibleState, 'reopenIncident'>;
  /**
   * The door's own record of the request (a webhook's `webhook.accepted`), appended in the same write as the
   * investigation's last event (`investigation.queued`), so the request waits for one append instead of two.
   */
  accepted?: (opened: OpenedInvestigation) => AuditEntry;
}

/**
 * Every door ends here: the alert is routed to its cluster, then stored once per source id — in a new incident, or
 * in the open incident of its storm (same cluster and namespace or Alertmanager group labels, within the grouping
 * window) as a related alert — then queued (a new incident's job once the door has answered). A duplicate
 * (PagerDuty retry, parallel copies) re-adds the same job id, which BullMQ ignores, so a webhook that died between
 * the insert and the enqueue is completed by its retry, or else by the worker's sweep (requeueUnstarted);
 * the same alert after its investigation failed for good runs it again. Text Postgres cannot store is replaced,
 * and said so.
 */
export async function openInvestigation(
  deps: IntakeDeps,
  received: Alert & { externalId: string },
  options: OpenOptions = {},
): Promise<OpenedInvestigation> {
  const { opened, queued, recorded } = await placeAndQueue(deps, received, options);
  if (recorded) return opened;
  const accepted = options.accepted?.(opened);
  const entries = [...(queued ? [queued] : []), ...(accepted ? [accepted] : [])];
  if (entries.length > 0) await deps.audit.record(...entries);
  return opened;
}

/** The event saying the incident's round was queued under `jobId`. */
const queuedEntry = (incident: { id: string; round: number }, jobId: string, rerun = false): AuditEntry => ({
  actor: 'bot',
  action: 'investigation.queued',
  target: jobId,
  incidentId: incident.id,
  details: { round: incident.round, ...(rerun ? { rerun: 'the previous attempts failed' } : {}) },
});

/**
 * The alert stored and queued; `queued`: the event saying so, for the caller to append (null when nothing was queued).
 * `recorded`: a new incident's queueing and the door's record were appended with it, nothing is left to append.
 */
async function placeAndQueue(
  deps: IntakeDeps,
  received: Alert & { externalId: string },
  options: OpenOptions,
): Promise<{ opened: OpenedInvestigation; queued: AuditEntry | null; recorded?: true }> {
  alertReceived(received.source);
  const { alert, cluster, said } = cleanAndRoute(deps, received);
  const windowMs = deps.groupingWindowMs ?? DEFAULT_GROUPING_WINDOW_MS;
  const key = windowMs > 0 ? groupingKey(alert, cluster) : null;
  const staticThread = typeof options.thread === 'object' ? options.thread : undefined;
  const placement = {
    ...(staticThread ? { thread: staticThread } : {}),
    cluster,
    grouping: key ? { key, windowMs } : null,
  };
  // A new incident with no thread to open first is queued at once under a job id of its own id: its queueing and the
  // door's record of the request are appended with it, in its transaction, so the request waits for no other append.
  const queuedWithIt = typeof options.thread !== 'function';
  const firstRows = 1 + (queuedWithIt ? 1 + (options.accepted ? 1 : 0) : 0);
  // An alert with no storm to join is placed by the statement that opens the transaction, which also takes the
  // seqs of its incident's first audit rows should it create the incident: two round trips in all.
  const alone = placedAlone(placement);
  // Every intake transaction appends to the audit trail: it holds checkpoints back first, before its other locks.
  const opening = alone
    ? `${HOLD_CHECKPOINTS}; ${placeAloneSql(alert, placement, deps.audit.seqsFor(firstRows))}`
    : HOLD_CHECKPOINTS;
  // The incident (or the joined alert) and its first audit rows commit together (inserted with the COMMIT): no
  // alert without the record of how it came. Alerts of one storm queue on the key's lock (15 s allows
  // for a burst of them).
  const placed = await inTransaction(
    poolOf(deps.db),
    async (tx, atCommit, opened) => {
      const placed = alone
        ? await placeAloneResult(tx, alert, opened.at(-1) as pg.QueryResult)
        : await openIncident(tx, alert, placement);
      const { incident, alert: row } = placed;
      // A new incident says where it came from; a joined alert, which incident it joined.
      const how = placed.created
        ? { action: 'incident.opened' as const, details: { externalId: incidentKey(alert.source, alert.externalId) } }
        : placed.joined
          ? { action: 'incident.alert_joined' as const, details: { alert: row?.key } }
          : null;
      if (!how) return placed;
      const entries: AuditEntry[] = [
        {
          actor: alert.source,
          action: how.action,
          target: `incident:${incident.id}`,
          incidentId: incident.id,
          details: { ...how.details, title: alert.title, ...(key ? { groupingKey: key } : {}), ...said },
        },
      ];
      if (placed.created && queuedWithIt) {
        const jobId = investigationJobId(incident.id, incident.round);
        entries.push(queuedEntry(incident, jobId));
        const accepted = options.accepted?.({ incidentId: incident.id, jobId, duplicate: false, ...said });
        if (accepted) entries.push(accepted);
      }
      if (placed.reserved) deps.audit.startChain(entries, placed.reserved, atCommit);
      else await deps.audit.recordIn(tx, entries, atCommit);
      return placed;
    },
    { opening },
  );
  let { incident } = placed;
  const { created, alert: row } = placed;
  if (placed.joined) {
    deps.showRelatedAlerts?.(incident.id);
    // The answer may be in already: an alert it does not explain starts a new round now.
    await reconsiderRelatedAlerts(deps, incident.id);
    return { opened: { incidentId: incident.id, jobId: null, duplicate: false, joined: true, ...said }, queued: null };
  }
  if (created && typeof options.thread === 'function') {
    const thread = await options.thread(await findIncidentOrThrow(deps.db, incident.id));
    incident = await saveThread(deps.db, incident.id, thread.channel, thread.ts);
  }
  const comesBack = options.reopen !== undefined && incident.status === 'resolved';
  if (row && !row.primary && !comesBack) {
    // A related alert seen before: a copy of it, or — the storm still open — the alert firing again after it resolved.
    if (options.reopen && row.status === 'resolved' && (await refireAlert(deps.db, row.id))) {
      await deps.audit.record({
        actor: alert.source,
        action: 'incident.alert_refired',
        target: `incident:${incident.id}`,
        incidentId: incident.id,
        details: { alert: row.key, title: alert.title },
      });
      deps.showRelatedAlerts?.(incident.id);
    }
    // Completes a join whose webhook died before the alert was checked against the answer.
    await reconsiderRelatedAlerts(deps, incident.id);
    return { opened: { incidentId: incident.id, jobId: null, duplicate: true, ...said }, queued: null };
  }
  let reopened = false;
  if (!created && incident.status === 'resolved') {
    if (!options.reopen)
      return { opened: { incidentId: incident.id, jobId: null, duplicate: true, ...said }, queued: null };
    const again = await options.reopen.reopenIncident(incident.id, alert.source);
    if (again) {
      // The round investigates the alert that came back (a related alert of the storm, or the first one).
      if (row) await markRoundStarter(deps.db, row.id, again.round);
      incident = again;
      reopened = true;
    } else {
      // A concurrent copy reopened it: queue the round it opened (the same job id, so once).
      incident = (await findIncident(deps.db, incident.id)) ?? incident;
    }
  }
  if (created && queuedWithIt) {
    enqueueAfterAnswer(deps, incident, alert.source);
    const jobId = investigationJobId(incident.id, incident.round);
    return { opened: { incidentId: incident.id, jobId, duplicate: false, ...said }, queued: null, recorded: true };
  }
  const { jobId, rerun } = await deps.queue.enqueue(incident.id, incident.round, created || reopened);
  const queued = created || reopened || rerun ? queuedEntry(incident, jobId, rerun) : null;
  return { opened: { incidentId: incident.id, jobId, duplicate: !created && !reopened, ...said }, queued };
}

/**
 * The alert as it is stored (text Postgres cannot hold replaced, `cleaned` saying what) and the cluster it is routed
 * to; `said`: what of both the door's answer and the audit trail repeat.
 */
function cleanAndRoute(deps: IntakeDeps, received: Alert & { externalId: string }) {
  const { alert: clean, changes } = cleanAlert(received);
  const cleaned = changes.length > 0 ? describeChanges(changes) : undefined;
  const alert = cleaned ? { ...clean, cleaned } : clean;
  const route = routeCluster(deps.clusters, alert);
  if ('refused' in route) throw new UnknownClusterError(route.refused);
  const { cluster } = route;
  const said = { ...(cleaned ? { cleaned } : {}), ...(cluster ? { cluster } : {}) };
  return { alert, cluster, said };
}

/**
 * Adds the job of a new incident once the door has answered: its `investigation.queued` and the door's acceptance
 * committed with it (the job id is fixed by the incident's), so what the request waits for is Postgres alone, and the
 * add runs after the answer is written (setImmediate). An add Redis refuses is recorded, so the trail says the job
 * was not added; while Redis does not answer, the add waits and completes once it is back. A job never added (the
 * process stopped first) is added by the worker's sweep of incidents accepted but never started
 * (requeueUnstarted), whose add of the same job id changes nothing when this one got there.
 */
function enqueueAfterAnswer(deps: IntakeDeps, incident: IncidentState, actor: string): void {
  setImmediate(() => {
    deps.queue.enqueue(incident.id, incident.round, true).catch((error: unknown) =>
      deps.audit
        .record({
          actor,
          action: 'investigation.queue_failed',
          target: investigationJobId(incident.id, incident.round),
          incidentId: incident.id,
          details: { round: incident.round, error: errorMessage(error) },
        })
        .catch(() => undefined),
    );
  });
}
