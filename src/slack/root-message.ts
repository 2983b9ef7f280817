import type { types } from '@slack/bolt';
import { AlertSchema } from '../alert/alert.ts';
import type { Incident } from '../generated/prisma/client.ts';
import { parseStored } from '../store/stored-json.ts';
import { clip, escapeMrkdwn, HEADER_TEXT, mrkdwnLink, SECTION_TEXT } from './mrkdwn.ts';

const STATUS_LABEL: Record<Incident['status'], string> = {
  triggered: ':rotating_light: Triggered',
  investigating: ':mag: Investigating',
  diagnosed: ':white_check_mark: Diagnosed',
  resolved: ':large_green_circle: Resolved',
};

/**
 * The alert's runbook, from the field meant for it (Alertmanager's `runbook_url` annotation; `runbook` as some rules
 * spell it): an https link only, never a link made from other text.
 */
export function runbookLink(alert: unknown): string | null {
  const annotations = AlertSchema.safeParse(alert).data?.annotations ?? {};
  const url = annotations.runbook_url ?? annotations.runbook;
  return url?.startsWith('https://') ? mrkdwnLink(url, 'Runbook') : null;
}

/** The incident's root message: title, link to the source, status. Edited in place when the status moves. */
export function rootMessage(incident: Incident): { text: string; blocks: types.KnownBlock[] } {
  const link = mrkdwnLink(incident.url, `Open in ${incident.source}`) ?? `Source: ${incident.source}`;
  const runbook = runbookLink(incident.alert);
  const { cleaned } = parseStored(AlertSchema, incident.alert, `incident ${incident.id}: its alert`);
  return {
    // The notification text is mrkdwn too: the title is escaped there (the header is plain text).
    text: clip(`${escapeMrkdwn(incident.title)} — ${STATUS_LABEL[incident.status]}`, SECTION_TEXT),
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: clip(incident.title, HEADER_TEXT) } },
      {
        type: 'section',
        text: {
          type: 'mrkdwn',
          text: `*Status:* ${STATUS_LABEL[incident.status]}${incident.cluster ? `\n*Cluster:* \`${escapeMrkdwn(incident.cluster)}\`` : ''}\n${link}${runbook ? ` · ${runbook}` : ''}`,
        },
      },
      {
        type: 'context',
        elements: [
          {
            type: 'mrkdwn',
            text: clip(
              `incident \`${incident.id}\`${cleaned ? ` · alert text cleaned: ${escapeMrkdwn(cleaned)}` : ''}`,
              SECTION_TEXT,
            ),
          },
        ],
      },
    ],
  };
}
