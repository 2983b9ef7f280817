// Slack Block Kit limits (shared/reference/protocols.md §2).
export const MAX_BLOCKS = 50;
export const SECTION_TEXT = 3000;
export const HEADER_TEXT = 150;

export const clip = (text: string, max: number): string => (text.length <= max ? text : `${text.slice(0, max - 1)}…`);

/** Slack mrkdwn treats &, < and > as control characters; text from the cluster must not inject links or mentions. */
export const escapeMrkdwn = (text: string): string =>
  text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
