import type { Alert } from '../alert/alert.ts';

/**
 * Text from a sender may hold what Postgres refuses (NUL in text and jsonb) or what UTF-8 cannot encode (half a
 * surrogate pair, e.g. a title cut in the middle of an emoji). Refusing it would lose the alert on every retry:
 * such characters become U+FFFD, and the change is reported, never silent.
 */
const REPLACEMENT = '\uFFFD';

export interface TextChange {
  /** Where in the alert: `title`, `labels.severity`, … */
  field: string;
  nulBytes: number;
  loneSurrogates: number;
}

/** Replaces each UTF-16 surrogate that is not half of a pair; counts them. */
function pairSurrogates(value: string): { text: string; replaced: number } {
  let text = '';
  let replaced = 0;
  for (let i = 0; i < value.length; i++) {
    const unit = value.charCodeAt(i);
    const high = unit >= 0xd800 && unit <= 0xdbff;
    const next = value.charCodeAt(i + 1);
    if (high && next >= 0xdc00 && next <= 0xdfff) {
      text += value[i]! + value[i + 1]!;
      i++;
    } else if (unit >= 0xd800 && unit <= 0xdfff) {
      text += REPLACEMENT;
      replaced++;
    } else text += value[i]!;
  }
  return { text, replaced };
}

/** NUL or any surrogate half: only then is the string rebuilt. */
function mayNeedCleaning(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const unit = value.charCodeAt(i);
    if (unit === 0 || (unit >= 0xd800 && unit <= 0xdfff)) return true;
  }
  return false;
}

/** The text with NUL and unpaired surrogates replaced by U+FFFD, and how many of each there were. */
export function storableText(value: string): { text: string; nulBytes: number; loneSurrogates: number } {
  if (!mayNeedCleaning(value)) return { text: value, nulBytes: 0, loneSurrogates: 0 };
  const nulBytes = value.split('\u0000').length - 1;
  const { text, replaced } = pairSurrogates(value.replaceAll('\u0000', REPLACEMENT));
  return { text, nulBytes, loneSurrogates: replaced };
}

function cleanString(value: string, field: string, changes: TextChange[]): string {
  const { text, nulBytes, loneSurrogates } = storableText(value);
  if (nulBytes > 0 || loneSurrogates > 0) changes.push({ field, nulBytes, loneSurrogates });
  return text;
}

function cleanRecord(record: Record<string, string>, field: string, changes: TextChange[]): Record<string, string> {
  return Object.fromEntries(
    Object.entries(record).map(([key, value]) => [
      cleanString(key, `${field} key`, changes),
      cleanString(value, `${field}.${key}`, changes),
    ]),
  );
}

/** The alert with every string storable and postable, and what had to change. */
export function cleanAlert<A extends Alert>(alert: A): { alert: A; changes: TextChange[] } {
  const changes: TextChange[] = [];
  const clean: A = {
    ...alert,
    title: cleanString(alert.title, 'title', changes),
    labels: cleanRecord(alert.labels, 'labels', changes),
    annotations: cleanRecord(alert.annotations, 'annotations', changes),
  };
  for (const field of ['text', 'url', 'externalId', 'startsAt'] as const) {
    const value = alert[field];
    if (typeof value === 'string') clean[field] = cleanString(value, field, changes);
  }
  return { alert: clean, changes };
}

/** One line for the thread and the webhook answer: which fields changed and how. */
export function describeChanges(changes: TextChange[]): string {
  return changes
    .map((change) => {
      const what = [
        change.nulBytes > 0 ? `${change.nulBytes} NUL byte(s)` : '',
        change.loneSurrogates > 0 ? `${change.loneSurrogates} unpaired surrogate(s)` : '',
      ].filter(Boolean);
      return `${change.field}: ${what.join(' and ')} replaced by U+FFFD`;
    })
    .join('; ');
}
