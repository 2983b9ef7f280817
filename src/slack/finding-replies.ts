import type { types } from '@slack/bolt';
import { type Progress, refKey } from '../investigation/model.ts';
import { entityLabel } from '../investigation/model.ts';
import { clip, escapeMrkdwn, SECTION_TEXT } from './mrkdwn.ts';
import type { IncidentThread } from './thread.ts';

/**
 * The thread's running hypotheses: a reply when a hypothesis first firms up (or is ruled out after being posted),
 * once per entity and in order, so the on-call engineer sees the story before the final answer. The status reply
 * carries every step; these replies carry only the findings worth a notification, capped to stay far below
 * Slack's one-message-per-second channel limit.
 */
export class FindingReplies {
  private readonly posted = new Set<string>();
  private replies = 0;
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly thread: IncidentThread,
    /** Prefix of the replies' message keys (the investigation's), so a retried investigation posts none twice. */
    private readonly keyPrefix: string,
    private readonly minConfidence = 0.5,
    private readonly maxReplies = 4,
  ) {}

  offer(progress: Progress): void {
    if (progress.type !== 'hypothesis' || this.replies >= this.maxReplies) return;
    const { hypothesis, change } = progress;
    const key = refKey(hypothesis.entity);
    const ref = entityLabel(hypothesis.entity);
    let text: string;
    if (change === 'ruled-out') {
      if (!this.posted.delete(key)) return;
      text = `:heavy_multiplication_x: Ruled out *${escapeMrkdwn(ref)}*: ${escapeMrkdwn(progress.reason ?? 'no longer supported')}`;
    } else {
      if (this.posted.has(key) || hypothesis.confidence < this.minConfidence) return;
      this.posted.add(key);
      text = `:bulb: Hypothesis: *${escapeMrkdwn(ref)}* (${hypothesis.faultType}, ${Math.round(hypothesis.confidence * 100)}%) — ${escapeMrkdwn(hypothesis.summary)}`;
    }
    this.replies++;
    const clipped = clip(text, SECTION_TEXT);
    const message = { text: clipped, blocks: [findingBlock(clipped)] };
    // A finding that fails to post must not fail the investigation; the status reply and the answer still carry it.
    this.queue = this.queue.then(() =>
      this.thread
        .reply(message, 'finding', `${this.keyPrefix}:finding:${change === 'ruled-out' ? 'ruled-out' : 'found'}:${key}`)
        .then(
          () => undefined,
          () => undefined,
        ),
    );
  }

  /** Resolves once every accepted reply is posted, so the final answer comes after them. */
  flush(): Promise<void> {
    return this.queue;
  }
}

const findingBlock = (text: string): types.KnownBlock => ({ type: 'section', text: { type: 'mrkdwn', text } });
