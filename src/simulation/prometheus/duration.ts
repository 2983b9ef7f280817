import { PromQLError } from './errors.ts';

const UNIT_MS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
  y: 31_536_000_000,
};

const DURATION = /^(\d+(ms|s|m|h|d|w|y))+$/;
const PART = /(\d+)(ms|s|m|h|d|w|y)/g;

/** Parses a PromQL duration such as `5m`, `1h30m` or `250ms` into milliseconds. */
export function parseDuration(text: string): number {
  if (!DURATION.test(text)) throw new PromQLError(`not a valid duration string: "${text}"`);
  let ms = 0;
  for (const [, amount, unit] of text.matchAll(PART)) ms += Number(amount) * UNIT_MS[unit ?? 's']!;
  return ms;
}
