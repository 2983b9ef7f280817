import type { Alert } from '../alert/alert.ts';
import type { AuditLog } from '../audit/audit-log.ts';
import type { PrismaClient } from '../generated/prisma/client.ts';
import type { InvestigationQueue } from '../queue/investigation-queue.ts';
import { openIncident } from '../store/incidents.ts';

export interface IntakeDeps {
  db: PrismaClient;
  audit: AuditLog;
  queue: InvestigationQueue;
}

export interface OpenedInvestigation {
  incidentId: string;
  jobId: string | null;
  duplicate: boolean;
}

/**
 * Every door ends here: the incident is stored once per source id, then queued. A duplicate (PagerDuty
 * retry, parallel copies) re-adds the same job id, which BullMQ ignores, so a webhook that died between
 * the insert and the enqueue is completed by its retry. A resolved incident is not investigated again.
 */
export async function openInvestigation(
  deps: IntakeDeps,
  alert: Alert & { externalId: string },
  thread?: { channel: string; ts: string },
): Promise<OpenedInvestigation> {
  const { incident, created } = await openIncident(deps.db, alert, thread);
  if (created) {
    await deps.audit.record({
      actor: alert.source,
      action: 'incident.opened',
      target: `incident:${incident.id}`,
      incidentId: incident.id,
      details: { externalId: incident.externalId, title: alert.title },
    });
  }
  if (incident.status === 'resolved') return { incidentId: incident.id, jobId: null, duplicate: !created };
  const jobId = await deps.queue.enqueue(incident.id);
  if (created) {
    await deps.audit.record({ actor: 'bot', action: 'investigation.queued', target: jobId, incidentId: incident.id });
  }
  return { incidentId: incident.id, jobId, duplicate: !created };
}
