import type { types } from '@slack/bolt';
import type { Incident, IncidentAlert } from '../generated/prisma/client.ts';
import { findIncidentOrThrow, threadAndRelatedCount } from '../store/incidents.ts';
import { clip, escapeMrkdwn, SECTION_TEXT } from './mrkdwn.ts';
import { type VisibleMessage, VisibleState, type VisibleStateDeps } from './visible-state.ts';

/** Lines shown; a storm of 200 alerts keeps the message readable, the audit trail keeps every one. */
const SHOWN = 40;
const SUBJECT_LABELS = ['pod', 'deployment', 'statefulset', 'daemonset', 'service', 'node', 'job_name'];

const time = (at: Date) => at.toISOString().slice(11, 19);

function line(alert: IncidentAlert): string {
  const labels = (alert.alert as { labels?: Record<string, string> }).labels ?? {};
  const subject = SUBJECT_LABELS.filter((name) => labels[name]).map((name) => `${name}=${labels[name]}`);
  const state = alert.status === 'resolved' ? ':large_green_circle: resolved' : ':red_circle: firing';
  const verdict =
    alert.startedRound !== null
      ? ` · not explained by the answer (${alert.explanation ?? 'not on its path'}) → round ${alert.startedRound}`
      : alert.explained === true
        ? ' · explained by the answer'
        : alert.explained === false
          ? ` · not explained (${alert.explanation}); investigated after the current round`
          : '';
  const what = `${alert.title}${subject.length > 0 ? ` (${subject.join(', ')})` : ''}`;
  return `• ${time(alert.joinedAt)} ${state} — ${escapeMrkdwn(clip(what, 160))}${escapeMrkdwn(verdict)}`;
}

/**
 * The storm's related alerts as one message edited in place, not one reply each: thirty alerts in a second are
 * one message the on-call reads at a glance (and one notification), while every alert still has its own line and
 * status. Lines beyond the first 40 are counted; the audit trail (`incident.alert_joined`) has every one.
 */
export function relatedAlertsMessage(incident: Incident, alerts: IncidentAlert[]): VisibleMessage | null {
  const related = alerts.filter((alert) => !alert.primary);
  if (related.length === 0) return null;
  const firing = alerts.filter((alert) => alert.status === 'firing').length;
  const where = [
    incident.groupingKey?.includes('/namespace=')
      ? `namespace \`${escapeMrkdwn(incident.groupingKey.split('/namespace=')[1] ?? '')}\``
      : 'Alertmanager group labels',
    ...(incident.cluster ? [`cluster \`${escapeMrkdwn(incident.cluster)}\``] : []),
  ].join(', ');
  const head =
    `:link: *${related.length} related alert${related.length === 1 ? '' : 's'}* joined this incident (same ${where}) ` +
    `instead of opening threads of their own. ` +
    (firing === 0
      ? `All ${alerts.length} alerts have resolved.`
      : `${firing} of ${alerts.length} alerts firing; the incident resolves when every one has.`);
  const lines = related.slice(0, SHOWN).map(line);
  if (related.length > SHOWN) lines.push(`…and ${related.length - SHOWN} more (the audit trail lists every one)`);
  const sections: types.KnownBlock[] = [];
  let chunk = head;
  for (const next of lines) {
    if (chunk.length + next.length + 1 > SECTION_TEXT) {
      sections.push({ type: 'section', text: { type: 'mrkdwn', text: chunk } });
      chunk = next;
    } else chunk = `${chunk}\n${next}`;
  }
  sections.push({ type: 'section', text: { type: 'mrkdwn', text: chunk } });
  return { text: clip(head, SECTION_TEXT), blocks: sections };
}

/** Renders the incident's related-alerts message from the database, if it has a thread and related alerts. */
export async function showRelatedAlerts(visible: VisibleState, deps: VisibleStateDeps, incidentId: string) {
  const incident = await threadAndRelatedCount(deps.db, incidentId);
  // No related alert, nothing to show: no lock taken. One that joins after this read shows itself (intake calls here).
  if (!incident?.slackChannel || !incident.slackThreadTs || incident.related === 0) return;
  const place = { incidentId, channel: incident.slackChannel, threadTs: incident.slackThreadTs };
  await visible.show(
    place,
    'related-alerts',
    async () =>
      relatedAlertsMessage(
        await findIncidentOrThrow(deps.db, incidentId),
        await deps.db.incidentAlert.findMany({ where: { incidentId }, orderBy: { joinedAt: 'asc' } }),
      ),
    'related-alerts',
  );
}

/**
 * Coalesces a storm's updates: however many alerts join in a second, the message is edited at most once per
 * `intervalMs` per incident, with everything that arrived meanwhile. Callers never wait (a webhook answers first).
 */
export class RelatedAlertsBoard {
  private readonly visible: VisibleState;
  private readonly pending = new Map<string, NodeJS.Timeout>();
  private readonly running = new Map<string, Promise<void>>();

  constructor(
    private readonly deps: VisibleStateDeps,
    private readonly onError: (error: Error, incidentId: string) => void,
    private readonly intervalMs = 1_000,
  ) {
    this.visible = new VisibleState(deps);
  }

  show(incidentId: string): void {
    if (this.pending.has(incidentId)) return;
    const timer = setTimeout(() => {
      this.pending.delete(incidentId);
      this.update(incidentId);
    }, this.intervalMs);
    this.pending.set(incidentId, timer);
  }

  /** Sends what is pending now and waits for every update in flight (shutdown, tests). */
  async flush(): Promise<void> {
    for (const [incidentId, timer] of this.pending) {
      clearTimeout(timer);
      this.pending.delete(incidentId);
      this.update(incidentId);
    }
    await Promise.all(this.running.values());
  }

  /** Renders the message after the incident's update in flight, if any (one at a time per incident here). */
  private update(incidentId: string): void {
    const run = (this.running.get(incidentId) ?? Promise.resolve())
      .then(() => showRelatedAlerts(this.visible, this.deps, incidentId))
      .catch((error: Error) => this.onError(error, incidentId))
      .finally(() => {
        if (this.running.get(incidentId) === run) this.running.delete(incidentId);
      });
    this.running.set(incidentId, run);
  }
}
