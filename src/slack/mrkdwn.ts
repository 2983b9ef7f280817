// Slack Block Kit limits (shared/reference/protocols.md §2).
export const MAX_BLOCKS = 50;
export const SECTION_TEXT = 3000;
export const HEADER_TEXT = 150;

export const clip = (text: string, max: number): string => (text.length <= max ? text : `${text.slice(0, max - 1)}…`);

/**
 * Slack mrkdwn treats &, < and > as control characters: escaped, outside text (an alert title, a log line, what
 * someone typed) cannot become a link, `<!channel>`, `<!subteam^…>` or `<@U…>` in the bot's own voice.
 */
export const escapeMrkdwn = (text: string): string =>
  text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');

/**
 * A link from a field meant to be one (PagerDuty's html_url, Alertmanager's generatorURL): only an absolute http(s)
 * URL without credentials, written so that nothing in it can close the link or change its label. Null otherwise.
 */
export function mrkdwnLink(url: string | null | undefined, label: string): string | null {
  if (!url) return null;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  if ((parsed.protocol !== 'https:' && parsed.protocol !== 'http:') || parsed.username || parsed.password) return null;
  // URL serialisation percent-encodes spaces, quotes and angle brackets; '|' would end the address, '&' is an entity.
  const href = parsed.href
    .replaceAll('|', '%7C')
    .replaceAll('&', '&amp;')
    .replaceAll('<', '%3C')
    .replaceAll('>', '%3E');
  return `<${href}|${escapeMrkdwn(label).replaceAll('|', '¦')}>`;
}
