import type { Incident } from '../generated/prisma/client.ts';
import { clip, escapeMrkdwn, SECTION_TEXT } from './mrkdwn.ts';
import { rootMessage } from './root-message.ts';
import type { VisibleMessage, VisibleState } from './visible-state.ts';

/** The incident's thread: every reply and edit goes through VisibleState, so each is posted once and audited. */
export class IncidentThread {
  constructor(
    private readonly visible: VisibleState,
    readonly incidentId: string,
    readonly channel: string,
    readonly threadTs: string,
  ) {}

  /** Posts `message` once per `key` in this incident (a retry of the same key returns the first post's ts). */
  reply(message: VisibleMessage, purpose: string, key: string): Promise<string> {
    return this.visible.post(
      { incidentId: this.incidentId, channel: this.channel, threadTs: this.threadTs },
      key,
      message,
      purpose,
    );
  }

  edit(ts: string, message: VisibleMessage, purpose: string): Promise<void> {
    return this.visible.edit({ incidentId: this.incidentId, channel: this.channel }, ts, message, purpose);
  }
}

/** Posts the incident's root message in `channel` (once, whatever the retries) and returns its ts. */
export function postRoot(visible: VisibleState, incident: Incident, channel: string): Promise<string> {
  return visible.post({ incidentId: incident.id, channel }, 'root', rootMessage(incident), 'root');
}

/**
 * The status reply, edited in place as the investigation progresses. Slack allows about one update per
 * second per message: updates closer than `intervalMs` are coalesced and only the latest text is sent. The reply
 * was just posted when this is made, so the first edit waits an interval too: an investigation that ends within it
 * edits its status once, with the end, instead of once per step.
 */
export class StatusMessage {
  private latest: string | null = null;
  private lastSentAt = Date.now();
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
