import { createHash, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import type { Alert } from '../alert/alert.ts';
import type { VisibleState } from '../slack/visible-state.ts';
import { parseJsonBody } from './json-body.ts';
import { type IntakeDeps, openInvestigation } from './open-investigation.ts';
import { resolveSourceAlert } from './resolve-alert.ts';
import type { RefusalCounter, RefusalReason } from './refusals.ts';
import type { WebhookResult } from './webhook-result.ts';

const StringMap = z.record(z.string(), z.string());

const AlertmanagerAlertSchema = z.object({
  status: z.enum(['firing', 'resolved']),
  labels: StringMap,
  annotations: StringMap.default({}),
  startsAt: z.string().optional(),
  generatorURL: z.string().optional(),
  fingerprint: z.string().optional(),
});

const AlertmanagerWebhookSchema = z.object({
  version: z.string(),
  groupKey: z.string().min(1),
  status: z.enum(['firing', 'resolved']),
  receiver: z.string().optional(),
  groupLabels: StringMap.default({}),
  commonLabels: StringMap.default({}),
  commonAnnotations: StringMap.default({}),
  externalURL: z.string().optional(),
  alerts: z.array(AlertmanagerAlertSchema).min(1),
});

export type AlertmanagerWebhook = z.infer<typeof AlertmanagerWebhookSchema>;

/** `Authorization: Bearer <token>` compared in constant time (Alertmanager has no HMAC). */
export function verifyBearer(header: string | undefined, token: string): boolean {
  const given = Buffer.from(header?.replace(/^Bearer\s+/i, '') ?? '');
  const expected = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** Same key Alertmanager's own PagerDuty integration uses as dedup_key: sha256 of the group key. */
export const groupKeyHash = (groupKey: string): string => createHash('sha256').update(groupKey).digest('hex');

const isRfc3339 = (value: string | undefined): value is string =>
  value !== undefined && z.iso.datetime({ offset: true }).safeParse(value).success;

/** One alert group → one Alert: common labels refined by the first firing alert's own. */
export function alertFromGroup(group: AlertmanagerWebhook): Alert & { externalId: string } {
  const first = group.alerts.find((alert) => alert.status === 'firing') ?? group.alerts[0]!;
  const labels = { ...group.commonLabels, ...first.labels };
  const annotations = { ...group.commonAnnotations, ...first.annotations };
  const title = annotations.summary ?? labels.alertname ?? 'Alertmanager alert';
  const url = first.generatorURL ?? group.externalURL;
  return {
    source: 'alertmanager',
    title,
    ...(annotations.description ? { text: annotations.description } : {}),
    labels,
    annotations,
    ...(Object.keys(group.groupLabels).length > 0 ? { groupLabels: group.groupLabels } : {}),
    externalId: groupKeyHash(group.groupKey),
    ...(isRfc3339(first.startsAt) ? { startsAt: first.startsAt } : {}),
    ...(url ? { url } : {}),
  };
}

export interface AlertmanagerIntakeDeps extends IntakeDeps {
  token?: string;
  refusals: RefusalCounter;
  /** Where a resolution and a reopen change the incident's status (its audit event and its thread with it). */
  visible: Pick<VisibleState, 'resolveIncident' | 'reopenIncident'>;
}

export async function handleAlertmanagerWebhook(
  deps: AlertmanagerIntakeDeps,
  raw: Buffer,
  authorization: string | undefined,
): Promise<WebhookResult> {
  // Refusals are counted, never awaited: a 401 does not depend on the database.
  const refuse = (status: number, reason: RefusalReason, error: string): WebhookResult => {
    deps.refusals.count('alertmanager', reason, raw.length);
    return { status, body: { error } };
  };
  if (deps.token && !verifyBearer(authorization, deps.token)) return refuse(401, 'bad-token', 'invalid bearer token');
  const json = parseJsonBody(raw);
  if (!json.ok) return refuse(400, json.reason, json.message);
  const parsed = AlertmanagerWebhookSchema.safeParse(json.value);
  if (!parsed.success) {
    return refuse(400, 'bad-envelope', `not an Alertmanager webhook: ${z.prettifyError(parsed.error)}`);
  }
  const group = parsed.data;
  const externalId = groupKeyHash(group.groupKey);

  if (group.status === 'resolved') {
    const resolution = await resolveSourceAlert(deps, 'alertmanager', externalId);
    await deps.audit.record({
      actor: 'alertmanager',
      action: 'webhook.accepted',
      target: `alertmanager:${externalId}`,
      ...(resolution.incidentId ? { incidentId: resolution.incidentId } : {}),
      details: { status: 'resolved', known: resolution.incidentId !== null, stillFiring: resolution.stillFiring },
    });
    return { status: 202, body: { incidentId: resolution.incidentId } };
  }
  // A group that fires after it was resolved is the alert coming back: investigated again, in the same thread.
  const opened = await openInvestigation(deps, alertFromGroup(group), {
    reopen: deps.visible,
    accepted: (opened) => ({
      actor: 'alertmanager',
      action: 'webhook.accepted',
      target: `alertmanager:${externalId}`,
      incidentId: opened.incidentId,
      details: { status: 'firing', duplicate: opened.duplicate, alerts: group.alerts.length },
    }),
  });
  return { status: 202, body: { ...opened } };
}
