import type { Alert } from '../alert/alert.ts';
import type { TransactionalAuditLog } from '../audit/audit-log.ts';
import type { Incident, PrismaClient } from '../generated/prisma/client.ts';
import { alertReceived } from '../observability/metrics.ts';
import type { InvestigationQueue } from '../queue/investigation-queue.ts';
import type { VisibleState } from '../slack/visible-state.ts';
import { findIncident, openIncident, saveThread } from '../store/incidents.ts';
import { cleanAlert, describeChanges } from './clean-text.ts';

export interface IntakeDeps {
  db: PrismaClient;
  audit: TransactionalAuditLog;
  queue: InvestigationQueue;
}

export interface OpenedInvestigation {
  incidentId: string;
  jobId: string | null;
  duplicate: boolean;
  /** What had to change in the alert's text to store it (NUL bytes, unpaired surrogates); absent when nothing. */
  cleaned?: string;
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
}

/**
 * Every door ends here: the incident is stored once per source id, then queued. A duplicate (PagerDuty
 * retry, parallel copies) re-adds the same job id, which BullMQ ignores, so a webhook that died between
 * the insert and the enqueue is completed by its retry; the same alert after its investigation failed for
 * good runs it again. Text Postgres cannot store is replaced, and said so.
 */
export async function openInvestigation(
  deps: IntakeDeps,
  received: Alert & { externalId: string },
  options: OpenOptions = {},
): Promise<OpenedInvestigation> {
  alertReceived(received.source);
  const { alert: clean, changes } = cleanAlert(received);
  const cleaned = changes.length > 0 ? describeChanges(changes) : undefined;
  const alert = cleaned ? { ...clean, cleaned } : clean;
  const staticThread = typeof options.thread === 'object' ? options.thread : undefined;
  // The incident and its first audit row commit together: no incident without the record of how it came.
  let { incident, created } = await deps.db.$transaction(
    async (tx) => {
      const opened = await openIncident(tx, alert, staticThread);
      if (opened.created) {
        await deps.audit.recordIn(tx, [
          {
            actor: alert.source,
            action: 'incident.opened',
            target: `incident:${opened.incident.id}`,
            incidentId: opened.incident.id,
            details: { externalId: opened.incident.externalId, title: alert.title, ...(cleaned ? { cleaned } : {}) },
          },
        ]);
      }
      return opened;
    },
    { maxWait: 15_000, timeout: 15_000 },
  );
  if (created) {
    if (typeof options.thread === 'function') {
      const thread = await options.thread(incident);
      incident = await saveThread(deps.db, incident.id, thread.channel, thread.ts);
    }
  }
  let reopened = false;
  if (!created && incident.status === 'resolved') {
    if (!options.reopen)
      return { incidentId: incident.id, jobId: null, duplicate: true, ...(cleaned ? { cleaned } : {}) };
    const again = await options.reopen.reopenIncident(incident.id, alert.source);
    if (again) {
      incident = again;
      reopened = true;
    } else {
      // A concurrent copy reopened it: queue the round it opened (the same job id, so once).
      incident = (await findIncident(deps.db, incident.id)) ?? incident;
    }
  }
  const { jobId, rerun } = await deps.queue.enqueue(incident.id, incident.round);
  if (created || reopened || rerun) {
    await deps.audit.record({
      actor: 'bot',
      action: 'investigation.queued',
      target: jobId,
      incidentId: incident.id,
      details: { round: incident.round, ...(rerun ? { rerun: 'the previous attempts failed' } : {}) },
    });
  }
  return { incidentId: incident.id, jobId, duplicate: !created && !reopened, ...(cleaned ? { cleaned } : {}) };
}
