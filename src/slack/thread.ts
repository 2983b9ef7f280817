import type { types, webApi } from '@slack/bolt';
import type { AuditLog } from '../audit/audit-log.ts';
import type { Incident } from '../generated/prisma/client.ts';
import { clip, escapeMrkdwn, HEADER_TEXT, SECTION_TEXT } from './mrkdwn.ts';

const STATUS_LABEL: Record<Incident['status'], string> = {
  triggered: ':rotating_light: Triggered',
  investigating: ':mag: Investigating',
  diagnosed: ':white_check_mark: Diagnosed',
  resolved: ':large_green_circle: Resolved',
};

/** The incident's root message: title, link to the source, status. Edited in place when the status moves. */
export function rootMessage(incident: Incident): { text: string; blocks: types.KnownBlock[] } {
  const link = incident.url ? `<${incident.url}|Open in ${incident.source}>` : `Source: ${incident.source}`;
  return {
    text: clip(`${incident.title} — ${STATUS_LABEL[incident.status]}`, SECTION_TEXT),
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: clip(incident.title, HEADER_TEXT) } },
      {
        type: 'section',
        text: { type: 'mrkdwn', text: `*Status:* ${STATUS_LABEL[incident.status]}\n${link}` },
      },
      { type: 'context', elements: [{ type: 'mrkdwn', text: `incident \`${incident.id}\`` }] },
    ],
  };
}

/** Every message the bot posts or edits goes through here, so each is an audit event. */
export class IncidentThread {
  constructor(
    private readonly slack: webApi.WebClient,
    private readonly audit: AuditLog,
    readonly incidentId: string,
    readonly channel: string,
    readonly threadTs: string,
  ) {}

  async reply(message: { text: string; blocks?: types.KnownBlock[] }, purpose: string): Promise<string> {
    const posted = await this.slack.chat.postMessage({ channel: this.channel, thread_ts: this.threadTs, ...message });
    await this.audit.record({
      actor: 'bot',
      action: 'slack.posted',
      target: `slack:${this.channel}/${posted.ts}`,
      incidentId: this.incidentId,
      details: { purpose, threadTs: this.threadTs },
    });
    return posted.ts!;
  }

  async edit(ts: string, message: { text: string; blocks?: types.KnownBlock[] }, purpose: string): Promise<void> {
    await this.slack.chat.update({ channel: this.channel, ts, ...message });
    await this.audit.record({
      actor: 'bot',
      action: 'slack.updated',
      target: `slack:${this.channel}/${ts}`,
      incidentId: this.incidentId,
      details: { purpose },
    });
  }
}

/** Posts a root message for the incident and audits it; returns its ts. */
export async function postRoot(
  slack: webApi.WebClient,
  audit: AuditLog,
  incident: Incident,
  channel: string,
): Promise<string> {
  const posted = await slack.chat.postMessage({ channel, ...rootMessage(incident) });
  await audit.record({
    actor: 'bot',
    action: 'slack.posted',
    target: `slack:${channel}/${posted.ts}`,
    incidentId: incident.id,
    details: { purpose: 'root' },
  });
  return posted.ts!;
}

/**
 * The status reply, edited in place as the investigation progresses. Slack allows about one update per
 * second per message: updates closer than `intervalMs` are coalesced and only the latest text is sent.
 */
export class StatusMessage {
  private latest: string | null = null;
  private lastSentAt = 0;
  private timer: NodeJS.Timeout | null = null;
  private sending: Promise<void> = Promise.resolve();

  constructor(
    private readonly thread: IncidentThread,
    readonly ts: string,
    private readonly intervalMs = 1_000,
  ) {}

  update(text: string): void {
    this.latest = clip(escapeMrkdwn(text), SECTION_TEXT);
    if (this.timer) return;
    const wait = Math.max(0, this.lastSentAt + this.intervalMs - Date.now());
    this.timer = setTimeout(() => {
      this.timer = null;
      this.sending = this.sending.then(() => this.send());
    }, wait);
  }

  /** Sends the pending text now (if any) and waits for every edit in flight. */
  async flush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
      this.sending = this.sending.then(() => this.send());
    }
    await this.sending;
  }

  private async send(): Promise<void> {
    const text = this.latest;
    if (text === null) return;
    this.latest = null;
    this.lastSentAt = Date.now();
    // Progress edits are best effort: a failed one is superseded by the next.
    await this.thread.edit(this.ts, { text }, 'status').catch(() => undefined);
  }
}
