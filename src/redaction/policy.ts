import { storableText } from '../intake/clean-text.ts';
import { Redactor } from './redactor.ts';

/**
 * The process's one redaction policy, applied on every way out: Slack (slack-fetch.ts), the audit trail, stored
 * results and plans, CLI output, logs and the model. It masks credential patterns, and the values of every Secret this
 * process has read — the investigator reads only the Secrets the evidence names, one by one, and learns their values
 * here (tools/kinds.ts) before reducing them to key names.
 */
export const redaction = new Redactor();

/** Values of a Secret just read: masked from now on wherever they appear. */
export function learnSecretValues(values: Iterable<string>): void {
  redaction.addSecretValues(values);
}

/** Masks credentials in any value (a deep copy; Secret payloads dropped to key names). */
export function redact<T>(value: T): T {
  return redaction.value(value);
}

/** What may be written to Postgres: redacted, and without the characters text and jsonb refuse (NUL, lone surrogates). */
export function storable<T>(value: T): T {
  return deepMapStrings(redaction.value(value), (text) => storableText(text).text) as T;
}

function deepMapStrings(value: unknown, map: (text: string) => string): unknown {
  if (typeof value === 'string') return map(value);
  if (Array.isArray(value)) return value.map((item) => deepMapStrings(item, map));
  if (value === null || typeof value !== 'object' || value instanceof Date) return value;
  return Object.fromEntries(
    Object.entries(value as Record<string, unknown>).map(([key, item]) => [map(key), deepMapStrings(item, map)]),
  );
}
