import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import type { Alert } from '../alert/alert.ts';
import { resolveIncident } from '../store/incidents.ts';
import { type IntakeDeps, openInvestigation } from './open-investigation.ts';
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

const IncidentDataSchema = z.object({
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

export type ParsedWebhook = { ok: true; event: PagerDutyEvent } | { ok: false; reason: string };

export function parsePagerDutyWebhook(raw: Buffer): ParsedWebhook {
  let json: unknown;
  try {
    json = JSON.parse(raw.toString('utf8'));
  } catch (error) {
    return { ok: false, reason: `body is not JSON: ${(error as Error).message}` };
  }
  const parsed = WebhookSchema.safeParse(json);
  if (!parsed.success) return { ok: false, reason: `not a PagerDuty V3 webhook: ${z.prettifyError(parsed.error)}` };
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

export interface PagerDutyIntakeDeps extends IntakeDeps {
  secrets: string[];
  /** Starts saying so in the incident's thread; the webhook does not wait for Slack. */
  announceResolved(incidentId: string): void;
}

/** The whole webhook: signature, envelope, then the event type's action. Nothing is stored before the signature holds. */
export async function handlePagerDutyWebhook(
  deps: PagerDutyIntakeDeps,
  raw: Buffer,
  signature: string | undefined,
): Promise<WebhookResult> {
  const refuse = async (status: number, reason: string, error = reason): Promise<WebhookResult> => {
    await deps.audit.record({
      actor: 'pagerduty',
      action: 'webhook.refused',
      target: 'pagerduty',
      justification: reason,
      details: { bytes: raw.length },
    });
    return { status, body: { error } };
  };
  if (!verifyPagerDutySignature(raw, signature, deps.secrets)) {
    const reason = signature ? 'signature does not match any configured secret' : 'no X-PagerDuty-Signature';
    return refuse(401, reason, 'invalid signature');
  }
  const parsed = parsePagerDutyWebhook(raw);
  if (!parsed.ok) return refuse(400, parsed.reason);
  const { event } = parsed;
  const accepted = (details: Record<string, unknown>, incidentId?: string) =>
    deps.audit.record({
      actor: 'pagerduty',
      action: 'webhook.accepted',
      target: `pagerduty:${event.id}`,
      ...(incidentId ? { incidentId } : {}),
      details: { eventType: event.event_type, ...details },
    });

  if (event.event_type === 'incident.triggered' || event.event_type === 'incident.resolved') {
    const incident = IncidentDataSchema.safeParse(event.data);
    if (!incident.success) return refuse(400, `event.data is not an incident: ${z.prettifyError(incident.error)}`);
    if (event.event_type === 'incident.triggered') {
      const opened = await openInvestigation(deps, alertFromIncident(incident.data));
      await accepted({ duplicate: opened.duplicate, jobId: opened.jobId }, opened.incidentId);
      return { status: 202, body: { incidentId: opened.incidentId, duplicate: opened.duplicate } };
    }
    const resolved = await resolveIncident(deps.db, 'pagerduty', incident.data.id);
    await accepted({ known: resolved !== null }, resolved?.incident.id);
    if (resolved && !resolved.alreadyResolved) deps.announceResolved(resolved.incident.id);
    return { status: 202, body: { incidentId: resolved?.incident.id ?? null } };
  }
  await accepted({ ignored: true });
  return { status: 202, body: { ignored: event.event_type } };
}
