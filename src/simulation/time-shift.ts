import type { Scenario } from './scenario.ts';

/**
 * A date and time of day as logs and objects write them: RFC 3339 (`2026-01-31T10:00:00Z`, `…T10:00:00.123+01:00`)
 * and the common space-separated form (`2026-01-31 10:00:00,123 +0000`). The zone, when any, follows the match and
 * is kept as it is: moving a wall-clock reading by a duration is the same in every fixed zone.
 */
const DATE_TIME = /\b(\d{4})-(\d{2})-(\d{2})([T ])(\d{2}):(\d{2}):(\d{2})/g;

/** Every date-time in a string moved by `seconds`, each written as it was (separator, fraction, zone). */
export function shiftText(text: string, seconds: number): string {
  if (seconds === 0) return text;
  return text.replace(DATE_TIME, (match, year, month, day, separator, hour, minute, second) => {
    const ms = Date.UTC(Number(year), Number(month) - 1, Number(day), Number(hour), Number(minute), Number(second));
    // Not a real time (month 13, a leap second): Date.UTC would roll it over, so it is left as written.
    if (new Date(ms).toISOString().slice(0, 19) !== `${year}-${month}-${day}T${hour}:${minute}:${second}`) return match;
    const moved = new Date(ms + seconds * 1000).toISOString();
    return `${moved.slice(0, 10)}${separator}${moved.slice(11, 19)}`;
  });
}

/** Every string anywhere in a JSON value moved by `seconds` (object keys are names, never times, and stay). */
function shiftStrings<T>(value: T, seconds: number): T {
  if (typeof value === 'string') return shiftText(value, seconds) as T;
  if (Array.isArray(value)) return value.map((item) => shiftStrings(item, seconds)) as T;
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, shiftStrings(item, seconds)])) as T;
  }
  return value;
}

/**
 * The same incident `seconds` later: `now`, the alert's times, every time in the cluster's objects (timestamps,
 * conditions, events, managed fields, annotations), every time in the logs (the leading one and those the
 * application wrote) and every metric sample, all moved by one offset, so every duration between them is kept.
 * Secret data (base64) and numbers inside log text (epoch seconds) are left as they are. The ground truth names
 * objects, not times, and is unchanged.
 */
export function shiftScenario(scenario: Scenario, seconds: number): Scenario {
  if (seconds === 0) return scenario;
  return {
    ...scenario,
    now: shiftText(scenario.now, seconds),
    alert: shiftStrings(scenario.alert, seconds),
    cluster: {
      ...scenario.cluster,
      objects: shiftStrings(scenario.cluster.objects, seconds),
      ...(scenario.cluster.logs ? { logs: shiftStrings(scenario.cluster.logs, seconds) } : {}),
    },
    ...(scenario.metrics
      ? {
          metrics: scenario.metrics.map((series) => ({
            ...series,
            values: series.values.map(([time, value]) => [time + seconds, value] as [number, string]),
          })),
        }
      : {}),
  };
}

/** Whole seconds from the scenario's `now` to `wallClock` (whole, so that every time keeps its written precision). */
export const secondsUntil = (scenario: Scenario, wallClock: Date): number =>
  Math.round((wallClock.getTime() - Date.parse(scenario.now)) / 1000);
