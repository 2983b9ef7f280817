import { MINUTE } from './time.ts';

/** The macros a CronJob schedule may use (Kubernetes accepts the standard five fields or one of these). */
const MACROS: Record<string, string> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};

/** minute, hour, day of month, month, day of week: each field's bounds. */
const BOUNDS: [number, number][] = [
  [0, 59],
  [0, 23],
  [1, 31],
  [1, 12],
  [0, 7],
];

/** Names cron accepts for months and weekdays (robfig/cron, which the CronJob controller uses), case-insensitive. */
const NAMES: (Record<string, number> | undefined)[] = [
  undefined,
  undefined,
  undefined,
  Object.fromEntries(
    ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'].map((m, i) => [m, i + 1]),
  ),
  Object.fromEntries(['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'].map((d, i) => [d, i])),
];

/** The values one field allows (`*`, `a-b`, `a,b`, `*\/n`, `a-b/n`, names); undefined when it uses what we do not parse. */
function fieldValues(
  field: string,
  [low, high]: [number, number],
  names?: Record<string, number>,
): Set<number> | undefined {
  const numeric = names
    ? field.toLowerCase().replace(/[a-z]{3}/g, (name) => (Object.hasOwn(names, name) ? String(names[name]) : name))
    : field;
  const values = new Set<number>();
  for (const part of numeric.split(',')) {
    const match = /^(\*|\?|(\d+)(?:-(\d+))?)(?:\/(\d+))?$/.exec(part);
    if (!match) return undefined;
    const star = match[1] === '*' || match[1] === '?';
    const from = star ? low : Number(match[2]);
    const to = star ? high : match[3] !== undefined ? Number(match[3]) : match[4] ? high : from;
    const step = Number(match[4] ?? 1);
    if (from < low || to > high || step < 1) return undefined;
    for (let v = from; v <= to; v += step) values.add(v);
  }
  return values;
}

/** A moment's wall-clock fields where the CronJob's schedule is read. */
type WallClock = { minute: number; hour: number; date: number; month: number; weekday: number };

const WEEKDAYS: Record<string, number> = { Sun: 0, Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6 };

/** Reads moments in a time zone (spec.timeZone, an IANA name); UTC without one, as the controller does. Undefined for a zone the runtime does not know. */
function wallClockIn(timeZone: string | undefined): ((t: number) => WallClock) | undefined {
  if (!timeZone || timeZone === 'UTC' || timeZone === 'Etc/UTC') {
    return (t) => {
      const d = new Date(t);
      return {
        minute: d.getUTCMinutes(),
        hour: d.getUTCHours(),
        date: d.getUTCDate(),
        month: d.getUTCMonth() + 1,
        weekday: d.getUTCDay(),
      };
    };
  }
  let format: Intl.DateTimeFormat;
  try {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      weekday: 'short',
    });
  } catch {
    return undefined;
  }
  return (t) => {
    const part = Object.fromEntries(format.formatToParts(t).map((p) => [p.type, p.value]));
    return {
      minute: Number(part.minute),
      hour: Number(part.hour),
      date: Number(part.day),
      month: Number(part.month),
      weekday: WEEKDAYS[part.weekday ?? ''] ?? -1,
    };
  };
}

/**
 * The first time after `after` (exclusive) and no later than `until` at which the schedule starts a run, read in the
 * CronJob's `timeZone` (UTC without one, as the controller does); undefined when none falls between or the schedule
 * or zone is not understood. Steps minute by minute within the hours it runs, hour by hour elsewhere.
 */
export function firstRunBetween(schedule: string, after: number, until: number, timeZone?: string): number | undefined {
  const fields = (MACROS[schedule.trim()] ?? schedule).trim().split(/\s+/);
  if (fields.length !== 5) return undefined;
  const sets = fields.map((field, i) => fieldValues(field, BOUNDS[i] as [number, number], NAMES[i]));
  const wallClock = wallClockIn(timeZone);
  if (sets.some((set) => set === undefined) || !wallClock) return undefined;
  const [minutes, hours, days, months, weekdays] = sets as Set<number>[];
  // Cron's rule: when both day fields are restricted, a day matching either runs.
  const dayRestricted = fields[2] !== '*' && fields[2] !== '?';
  const weekdayRestricted = fields[4] !== '*' && fields[4] !== '?';
  for (let t = Math.floor(after / MINUTE + 1) * MINUTE; t <= until; t += MINUTE) {
    const at = wallClock(t);
    if (!hours?.has(at.hour) || !months?.has(at.month)) {
      t += (59 - at.minute) * MINUTE; // on to the next hour
      continue;
    }
    if (!minutes?.has(at.minute)) continue;
    const dayOk = days?.has(at.date) ?? false;
    const weekdayOk = (weekdays?.has(at.weekday) ?? false) || (at.weekday === 0 && (weekdays?.has(7) ?? false));
    const runs = dayRestricted && weekdayRestricted ? dayOk || weekdayOk : dayOk && weekdayOk;
    if (runs) return t;
  }
  return undefined;
}
