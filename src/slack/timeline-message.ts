import type { types } from '@slack/bolt';
import { clockTime, durationsLine, formatDuration, kindLabel, type Timeline } from '../audit/timeline.ts';
import { clip, escapeMrkdwn, MAX_BLOCKS, SECTION_TEXT } from './mrkdwn.ts';

export const TIMELINE_ACTION_ID = 'incident.timeline';

/** The "Timeline" button: anyone in the channel may ask for the draft (it only reads the audit trail). */
export const timelineButton = (incidentId: string): types.Button => ({
  type: 'button',
  action_id: TIMELINE_ACTION_ID,
  text: { type: 'plain_text', text: 'Timeline' },
  value: incidentId,
});

/**
 * The timeline as a postmortem draft reply: the same entries and durations as `audit timeline`, in mrkdwn. Entries
 * are packed into sections of at most 3,000 characters; past Slack's 50 blocks the rest is left to the CLI.
 */
export function timelineMessage(timeline: Timeline): { text: string; blocks: types.KnownBlock[] } {
  const lines = timeline.entries.map(
    (entry) =>
      `\`${clockTime(entry.at)}\` +${formatDuration(entry.sinceAlertMs)} *${kindLabel(entry.kind)}* ${escapeMrkdwn(entry.text)}`,
  );
  const sections: string[] = [];
  for (const line of lines) {
    const last = sections.at(-1);
    if (last !== undefined && last.length + line.length + 1 <= SECTION_TEXT)
      sections[sections.length - 1] = `${last}\n${line}`;
    else sections.push(clip(line, SECTION_TEXT));
  }
  const room = MAX_BLOCKS - 3;
  const shown = sections.slice(0, room);
  const blocks: types.KnownBlock[] = [
    {
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: clip(
          `*Postmortem draft: timeline* — ${escapeMrkdwn(timeline.title ?? timeline.incidentId)}`,
          SECTION_TEXT,
        ),
      },
    },
    { type: 'context', elements: [{ type: 'mrkdwn', text: `Time to ${durationsLine(timeline.durations)}` }] },
    ...shown.map((text): types.KnownBlock => ({ type: 'section', text: { type: 'mrkdwn', text } })),
  ];
  if (sections.length > room || shown.length === 0)
    blocks.push({
      type: 'context',
      elements: [
        {
          type: 'mrkdwn',
          text:
            shown.length === 0
              ? 'No audit events for this incident yet.'
              : `Cut to fit Slack: \`npm run audit -- timeline --incident ${timeline.incidentId}\` has all of it.`,
        },
      ],
    });
  return { text: `Postmortem draft: timeline of ${escapeMrkdwn(timeline.title ?? timeline.incidentId)}`, blocks };
}
