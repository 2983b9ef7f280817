import type { types } from '@slack/bolt';
import { z } from 'zod';
import { escapeMrkdwn, mrkdwnLink } from '../slack/mrkdwn.ts';

export const ACKNOWLEDGE_ACTION_ID = 'pagerduty.acknowledge';
export const RESOLVE_ACTION_ID = 'pagerduty.resolve';

/** The thread's PagerDuty message, once per incident: its key in src/slack/visible-state.ts. */
export const PAGERDUTY_MESSAGE_KEY = 'pagerduty';

/** What the thread says about the PagerDuty side, folded from the incident's `pagerduty.*` audit events. */
export interface PagerDutySide {
  note: { state: 'pending' } | { state: 'added' } | { state: 'failed'; reason: string };
  acknowledgedBy: string | null;
  resolvedBy: string | null;
  /** The last status change that failed, shown quietly until a later one succeeds. */
  failedUpdate: { by: string; status: string; reason: string } | null;
}

const StatusDetails = z.object({ status: z.string() });

/** Audit rows (oldest first) → the PagerDuty side as it stands. */
export function pagerDutySide(
  events: readonly { action: string; actor: string; justification: string | null; details: unknown }[],
): PagerDutySide {
  const side: PagerDutySide = {
    note: { state: 'pending' },
    acknowledgedBy: null,
    resolvedBy: null,
    failedUpdate: null,
  };
  const user = (actor: string) => actor.replace(/^slack:/, '');
  for (const event of events) {
    switch (event.action) {
      case 'pagerduty.note.added':
        side.note = { state: 'added' };
        break;
      case 'pagerduty.note.failed':
        side.note = { state: 'failed', reason: event.justification ?? 'unknown error' };
        break;
      case 'pagerduty.acknowledged':
        side.acknowledgedBy = user(event.actor);
        side.failedUpdate = null;
        break;
      case 'pagerduty.resolved':
        side.resolvedBy = user(event.actor);
        side.failedUpdate = null;
        break;
      case 'pagerduty.update.failed':
        side.failedUpdate = {
          by: user(event.actor),
          status: StatusDetails.safeParse(event.details).data?.status ?? 'update',
          reason: event.justification ?? 'unknown error',
        };
        break;
    }
  }
  return side;
}

const NOTE_LINE: Record<PagerDutySide['note']['state'], string> = {
  pending: ':hourglass_flowing_sand: Adding the diagnosis to the PagerDuty incident as a note…',
  added: ':memo: Diagnosis added to the PagerDuty incident as a note, with a link to this thread.',
  failed: ':grey_exclamation: The diagnosis could not be added to PagerDuty',
};

/** The thread's PagerDuty message: the incident's link, what was written to it, and the buttons still useful. */
export function pagerDutyMessage(
  incident: { id: string; url: string | null; pagerDutyId: string; resolved: boolean },
  side: PagerDutySide,
): { text: string; blocks: types.KnownBlock[] } {
  const link =
    mrkdwnLink(incident.url, `incident ${incident.pagerDutyId}`) ?? `incident ${escapeMrkdwn(incident.pagerDutyId)}`;
  const lines = [
    side.note.state === 'failed'
      ? `${NOTE_LINE.failed}: ${escapeMrkdwn(side.note.reason)}`
      : NOTE_LINE[side.note.state],
  ];
  if (side.acknowledgedBy) lines.push(`:eyes: Acknowledged in PagerDuty by <@${side.acknowledgedBy}>.`);
  if (side.resolvedBy) lines.push(`:large_green_circle: Resolved in PagerDuty by <@${side.resolvedBy}>.`);
  if (side.failedUpdate)
    lines.push(
      `:grey_exclamation: <@${side.failedUpdate.by}>'s ${side.failedUpdate.status} did not reach PagerDuty: ${escapeMrkdwn(side.failedUpdate.reason)}`,
    );
  const buttons: types.Button[] = [];
  // Resolved either way (here, or at the source whose webhook told us): nothing left to click.
  if (!side.resolvedBy && !incident.resolved) {
    if (!side.acknowledgedBy)
      buttons.push({
        type: 'button',
        action_id: ACKNOWLEDGE_ACTION_ID,
        text: { type: 'plain_text', text: 'Acknowledge' },
        value: incident.id,
      });
    buttons.push({
      type: 'button',
      action_id: RESOLVE_ACTION_ID,
      text: { type: 'plain_text', text: 'Resolve' },
      value: incident.id,
      confirm: {
        title: { type: 'plain_text', text: 'Resolve in PagerDuty?' },
        text: { type: 'plain_text', text: 'The PagerDuty incident will be resolved for everyone paged.' },
        confirm: { type: 'plain_text', text: 'Resolve' },
        deny: { type: 'plain_text', text: 'Cancel' },
      },
    });
  }
  return {
    text: `PagerDuty ${incident.pagerDutyId}: ${lines[0]}`,
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: `*PagerDuty* ${link}` } },
      { type: 'context', elements: [{ type: 'mrkdwn', text: lines.join('\n') }] },
      ...(buttons.length > 0 ? [{ type: 'actions' as const, elements: buttons }] : []),
    ],
  };
}
