import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import type { Alert } from '../alert/alert.ts';
import type { AuditEntry } from '../audit/audit-log.ts';
import type { VisibleState } from '../slack/visible-state.ts';
import { parseJsonBody } from './json-body.ts';
import { type IntakeDeps, openInvestigation } from './open-investigation.ts';
import { resolveSourceAlert } from './resolve-alert.ts';
import type { RefusalCounter, RefusalReason } from './refusals.ts';
import type { WebhookResult } from './webhook-result.ts';

/**
 * Any `v1=` signature in the header matching any configured secret (several during rotation),
 * compared in constant time over the raw bytes.
 */
export function verifyPagerDutySignature(raw: Buffer, header: string | undefined, secrets: string[]): boolean {
  if (!header) return false;
  const signatures = header
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part.startsWith('v1='))
    .map((part) => Buffer.from(part.slice(3), 'hex'));
  return secrets.some((secret) => {
    const expected = createHmac('sha256', secret).update(raw).digest();
    return signatures.some((given) => given.length === expected.length && timingSafeEqual(given, expected));
  });
}

export const IncidentDataSchema = z.object({
  id: z.string().min(1),
  type: z.literal('incident'),
  title: z.string().min(1),
  html_url: z.string().optional(),
  status: z.string().optional(),
  urgency: z.string().optional(),
  incident_key: z.string().nullish(),
  created_at: z.iso.datetime({ offset: true }).optional(),
  service: z.object({ id: z.string(), summary: z.string().optional() }).nullish(),
  priority: z.object({ summary: z.string().optional() }).nullish(),
});

const WebhookSchema = z.object({
  event: z.object({
    id: z.string().min(1),
    event_type: z.string().min(1),
    resource_type: z.string().min(1),
    occurred_at: z.string().optional(),
    data: z.record(z.string(), z.unknown()),
  }),
});

export type PagerDutyEvent = z.infer<typeof WebhookSchema>['event'];
export type PagerDutyIncident = z.infer<typeof IncidentDataSchema>;

export type ParsedWebhook = { ok: true; event: PagerDutyEvent } | { ok: false; reason: RefusalReason; message: string };

export function parsePagerDutyWebhook(raw: Buffer): ParsedWebhook {
  const json = parseJsonBody(raw);
  if (!json.ok) return json;
  const parsed = WebhookSchema.safeParse(json.value);
  if (!parsed.success) {
    return {
      ok: false,
      reason: 'bad-envelope',
      message: `not a PagerDuty V3 webhook: ${z.prettifyError(parsed.error)}`,
    };
  }
  return { ok: true, event: parsed.data.event };
}

/**
 * What a V3 incident carries, no more: the title, the PagerDuty service, urgency and priority. The
 * Alertmanager labels behind an Events API incident are not in the webhook.
 */
export function alertFromIncident(incident: PagerDutyIncident): Alert & { externalId: string } {
  const labels: Record<string, string> = {};
  if (incident.service?.summary) labels.pagerduty_service = incident.service.summary;
  if (incident.urgency) labels.urgency = incident.urgency;
  if (incident.priority?.summary) labels.priority = incident.priority.summary;
  return {
    source: 'pagerduty',
    title: incident.title,
    labels,
    annotations: {},
    externalId: incident.id,
    ...(incident.html_url ? { url: incident.html_url } : {}),
    ...(incident.created_at ? { startsAt: incident.created_at } : {}),
  };
}

/** Events that start an investigation: a new incident, or a resolved one reopened (investigated again in its thread). */
const OPENING_EVENTS = new Set(['incident.triggered', 'incident.reopened']);

export interface PagerDutyIntakeDeps extends IntakeDeps {
  secrets: string[];
  refusals: RefusalCounter;
  /** Where a resolution and a reopen change the incident's status (its audit event and its thread with it). */
  visible: Pick<VisibleState, 'resolveIncident' | 'reopenIncident'>;
}

/** The whole webhook: signature, envelope, then the event type's action. Nothing is stored before the signature holds. */
export async function handlePagerDutyWebhook(
  deps: PagerDutyIntakeDeps,
  raw: Buffer,
  signature: string | undefined,
): Promise<WebhookResult> {
  // Refusals are counted, never awaited: a 401 does not depend on the database.
  const refuse = (status: number, reason: RefusalReason, error: string): WebhookResult => {
    deps.refusals.count('pagerduty', reason, raw.length);
    return { status, body: { error } };
  };
  if (!verifyPagerDutySignature(raw, signature, deps.secrets)) {
    return refuse(401, signature ? 'bad-signature' : 'no-signature', 'invalid signature');
  }
  const parsed = parsePagerDutyWebhook(raw);
  if (!parsed.ok) return refuse(400, parsed.reason, parsed.message);
  const { event } = parsed;
  const acceptance = (details: Record<string, unknown>, incidentId?: string): AuditEntry => ({
    actor: 'pagerduty',
    action: 'webhook.accepted',
    target: `pagerduty:${event.id}`,
    ...(incidentId ? { incidentId } : {}),
    details: { eventType: event.event_type, ...details },
  });
  const accepted = (details: Record<string, unknown>, incidentId?: string) =>
    deps.audit.record(acceptance(details, incidentId));

  if (OPENING_EVENTS.has(event.event_type) || event.event_type === 'incident.resolved') {
    const incident = IncidentDataSchema.safeParse(event.data);
    if (!incident.success) {
      return refuse(400, 'bad-payload', `event.data is not an incident: ${z.prettifyError(incident.error)}`);
    }
    if (OPENING_EVENTS.has(event.event_type)) {
      const opened = await openInvestigation(deps, alertFromIncident(incident.data), {
        ...(event.event_type === 'incident.reopened' ? { reopen: deps.visible } : {}),
        accepted: (opened) => acceptance({ duplicate: opened.duplicate, jobId: opened.jobId }, opened.incidentId),
      });
      return { status: 202, body: { ...opened } };
    }
    const resolution = await resolveSourceAlert(deps, 'pagerduty', incident.data.id);
    await accepted(
      { known: resolution.incidentId !== null, stillFiring: resolution.stillFiring },
      resolution.incidentId ?? undefined,
    );
    return { status: 202, body: { incidentId: resolution.incidentId } };
  }
  await accepted({ ignored: true });
  return { status: 202, body: { ignored: event.event_type } };
}
