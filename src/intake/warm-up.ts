import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import type { AuditEntry, TransactionalAuditLog } from '../audit/audit-log.ts';
import type { PrismaClient } from '../generated/prisma/client.ts';
import type { InvestigationQueue } from '../queue/investigation-queue.ts';
import { planOnEveryConnection } from '../store/db.ts';
import { placeAloneSql } from '../store/incidents.ts';
import { cleanAlert } from './clean-text.ts';
import { alertFromIncident, IncidentDataSchema, parsePagerDutyWebhook, verifyPagerDutySignature } from './pagerduty.ts';

/** A PagerDuty V3 `incident.triggered` delivery, as PagerDuty sends one: what the warm-up reads. */
const SAMPLE_DELIVERY = JSON.stringify({
  event: {
    id: '01WARMUPSAMPLE',
    event_type: 'incident.triggered',
    resource_type: 'incident',
    occurred_at: '2026-01-01T00:00:00.000Z',
    agent: null,
    client: null,
    data: {
      id: 'PWARMUP',
      type: 'incident',
      self: 'https://api.pagerduty.com/incidents/PWARMUP',
      html_url: 'https://example.pagerduty.com/incidents/PWARMUP',
      number: 1,
      status: 'triggered',
      incident_key: 'warm-up',
      created_at: '2026-01-01T00:00:00Z',
      title: 'High error rate on checkout in shop',
      service: { id: 'PSERVICE', summary: 'Checkout API' },
      urgency: 'high',
      priority: { summary: 'P2' },
    },
  },
});

/** The rows a new incident's transaction appends (incident.opened, investigation.queued, webhook.accepted). */
function firstRows(incidentId: string, title: string): AuditEntry[] {
  const jobId = `investigate-${incidentId}`;
  return [
    {
      actor: 'pagerduty',
      action: 'incident.opened',
      target: `incident:${incidentId}`,
      incidentId,
      details: { externalId: 'pagerduty:PWARMUP', title },
    },
    { actor: 'bot', action: 'investigation.queued', target: jobId, incidentId, details: { round: 1 } },
    {
      actor: 'pagerduty',
      action: 'webhook.accepted',
      target: 'pagerduty:01WARMUPSAMPLE',
      incidentId,
      details: { eventType: 'incident.triggered', duplicate: false, jobId },
    },
  ];
}

export interface WarmUpDeps {
  db: PrismaClient;
  /** The audit log itself, not a wrapper that logs what it records: the sample's rows are made, never recorded. */
  audit: TransactionalAuditLog;
  queue: InvestigationQueue;
}

/**
 * What the first webhooks after a start would pay for, paid before the web process listens (and so before /readyz
 * answers): the intake's own code runs once on a built-in delivery — the signature checked against a secret made for
 * it, the JSON and zod schemas parsed, the alert cleaned, the statement that places it and the INSERT of its first
 * audit rows made (their text masked, their hashes computed) — so V8 has compiled it and zod its schemas; every
 * connection of the pool plans those two statements; the queue's Redis connection is up. Nothing is stored, queued,
 * posted, logged or audited: the statements are only planned, the rows only made.
 */
export async function warmUpIntake({ db, audit, queue }: WarmUpDeps): Promise<void> {
  const raw = Buffer.from(SAMPLE_DELIVERY);
  // A secret of the warm-up's own, forgotten after it: no configured secret is used, none is added.
  const secret = randomBytes(32).toString('hex');
  const signature = `v1=${createHmac('sha256', secret).update(raw).digest('hex')}`;
  const parsed = parsePagerDutyWebhook(raw);
  if (!verifyPagerDutySignature(raw, signature, [secret]) || !parsed.ok) throw new Error('warm-up: sample refused');
  const { alert } = cleanAlert(alertFromIncident(IncidentDataSchema.parse(parsed.event.data)));
  const statements = [placeAloneSql(alert, { cluster: null, grouping: null }, audit.seqsFor(3))];
  audit.startChain(firstRows(randomUUID(), alert.title), ['1', '2', '3'], (sql) => statements.push(sql));
  await Promise.all([planOnEveryConnection(db, statements), queue.ping()]);
}
