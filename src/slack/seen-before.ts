import type { types } from '@slack/bolt';
import type { EarlierIncident } from '../store/history.ts';
import { HISTORY_DAYS } from '../store/history.ts';
import { entityLabel } from '../investigation/model.ts';
import { clip, escapeMrkdwn, mrkdwnLink, SECTION_TEXT } from './mrkdwn.ts';
import { timelineButton } from './timeline-message.ts';

const ago = (then: Date, now: Date) => {
  const days = Math.floor((now.getTime() - then.getTime()) / 86_400_000);
  if (days >= 1) return `${days} day${days === 1 ? '' : 's'} ago`;
  const hours = Math.floor((now.getTime() - then.getTime()) / 3_600_000);
  return hours >= 1 ? `${hours} h ago` : 'less than an hour ago';
};

/**
 * The reply after the answer: "Seen before" — earlier incidents with the same root cause or the same fault on the
 * same workload, each with its thread and how it ended — and the Timeline button. Links only from Slack's own
 * permalinks (`threadLinks`, by incident id).
 */
export function seenBeforeMessage(
  incidentId: string,
  earlier: readonly EarlierIncident[],
  threadLinks: ReadonlyMap<string, string>,
  now: Date,
): { text: string; blocks: types.KnownBlock[] } {
  const lines = earlier.map((incident) => {
    const title = escapeMrkdwn(incident.title);
    const link = mrkdwnLink(threadLinks.get(incident.incidentId), incident.title) ?? title;
    const cause = incident.rootCause ? `${escapeMrkdwn(entityLabel(incident.rootCause))}, ` : '';
    const ended = incident.outcome === 'none' ? 'no plan' : incident.outcome;
    return `• ${link} — ${ago(incident.at, now)} · ${incident.match} (${cause}${incident.faultType ?? 'other'}) · ${ended}${incident.resolved ? ' · resolved' : ''}`;
  });
  const text =
    lines.length > 0
      ? `*Seen before* (last ${HISTORY_DAYS} days):\n${lines.join('\n')}`
      : `*Seen before:* nothing in the last ${HISTORY_DAYS} days with this root cause, or this fault on this workload.`;
  return {
    text: lines.length > 0 ? `Seen before: ${earlier.length} earlier incident(s)` : 'Not seen before',
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: clip(text, SECTION_TEXT) } },
      { type: 'actions', elements: [timelineButton(incidentId)] },
    ],
  };
}
