/**
 * Block Kit as a terminal would show it: the CLI prints the very messages the bot posts in Slack, so what an
 * engineer reads in `incident-bot investigate` is what the channel reads.
 */

const EMOJI: Record<string, string> = {
  white_check_mark: '✅',
  heavy_check_mark: '✔',
  x: '❌',
  heavy_multiplication_x: '✖',
  warning: '⚠️',
  mag: '🔎',
  hourglass: '⏳',
  gear: '⚙️',
  no_entry: '⛔',
  rotating_light: '🚨',
  thinking_face: '🤔',
  alarm_clock: '⏰',
  large_green_circle: '🟢',
  large_orange_circle: '🟠',
  red_circle: '🔴',
  leftwards_arrow_with_hook: '↩',
  bulb: '💡',
  link: '🔗',
};

interface TextObject {
  type?: string;
  text?: string;
}

interface Block {
  type?: string;
  text?: TextObject;
  fields?: TextObject[];
  elements?: (TextObject & { text?: TextObject | string })[];
}

/** Slack mrkdwn to plain text: links and dates to their labels, entities decoded, emoji codes to emoji. */
export function mrkdwnToText(mrkdwn: string): string {
  return mrkdwn
    .replace(/<!date\^[^|>]*\|([^>]*)>/g, '$1')
    .replace(/<(https?:[^|>]*)\|([^>]*)>/g, '$2 ($1)')
    .replace(/<@([A-Z0-9]+)>/g, '@$1')
    .replace(/:([a-z0-9_+-]+):/g, (code, name: string) => EMOJI[name] ?? code)
    .replace(/(^|[\s(])\*([^*\n]+)\*/g, '$1$2')
    .replace(/(^|[\s(])_([^_\n]+)_/g, '$1$2')
    .replaceAll('&lt;', '<')
    .replaceAll('&gt;', '>')
    .replaceAll('&amp;', '&');
}

const text = (object: TextObject | string | undefined): string =>
  typeof object === 'string' ? object : object?.text ? mrkdwnToText(object.text) : '';

export function blocksToText(blocks: readonly unknown[]): string {
  const parts: string[] = [];
  for (const block of blocks as Block[]) {
    switch (block.type) {
      case 'header':
        parts.push(`▌${text(block.text)}`);
        break;
      case 'section':
        parts.push([text(block.text), ...(block.fields ?? []).map(text)].filter(Boolean).join('\n'));
        break;
      case 'context':
        parts.push((block.elements ?? []).map(text).join('  '));
        break;
      case 'actions':
        parts.push((block.elements ?? []).map((element) => `[ ${text(element.text)} ]`).join('  '));
        break;
      case 'divider':
        parts.push('─'.repeat(40));
        break;
    }
  }
  return parts.filter(Boolean).join('\n\n');
}
