import { blocksToText, mrkdwnToText } from '../../src/cli/block-text.ts';
import type { FakeSlack } from './fake-slack.ts';

/** A thread as Slack shows it now (edits applied): the root, then each reply, blocks rendered as text. */
export function threadText(slack: FakeSlack, channel: string, threadTs: string): string {
  return slack
    .storedMessages(channel)
    .filter((message) => message.ts === threadTs || message.thread_ts === threadTs)
    .map((message) => {
      const body = Array.isArray(message.blocks) ? blocksToText(message.blocks) : mrkdwnToText(message.text ?? '');
      const lines = body.split('\n');
      return message.ts === threadTs
        ? lines.join('\n')
        : lines.map((line, i) => `${i === 0 ? '└ ' : '  '}${line}`).join('\n');
    })
    .join('\n');
}
