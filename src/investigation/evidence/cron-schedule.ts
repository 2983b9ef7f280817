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

/** The values one field allows (`*`, `a-b`, `a,b`, `*\/n`, `a-b/n`); undefined when it uses what we do not parse (names). */
function fieldValues(field: string, [low, high]: [number, number]): Set<number> | undefined {
  const values = new Set<number>();
  for (const part of field.split(',')) {
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

/**
 * The first time after `after` (exclusive) and no later than `until` at which the schedule (UTC, as the CronJob
 * controller reads it without a timeZone) starts a run; undefined when none falls between or the schedule uses what
 * this does not parse. Steps minute by minute within the hours it runs, hour by hour elsewhere.
 */
export function firstRunBetween(schedule: string, after: number, until: number): number | undefined {
  const fields = (MACROS[schedule.trim()] ?? schedule).trim().split(/\s+/);
  if (fields.length !== 5) return undefined;
  const sets = fields.map((field, i) => fieldValues(field, BOUNDS[i] as [number, number]));
  if (sets.some((set) => set === undefined)) return undefined;
  const [minutes, hours, days, months, weekdays] = sets as Set<number>[];
  // Cron's rule: when both day fields are restricted, a day matching either runs.
  const dayRestricted = fields[2] !== '*' && fields[2] !== '?';
  const weekdayRestricted = fields[4] !== '*' && fields[4] !== '?';
  for (let t = Math.floor(after / MINUTE + 1) * MINUTE; t <= until; t += MINUTE) {
    const d = new Date(t);
    if (!hours?.has(d.getUTCHours()) || !months?.has(d.getUTCMonth() + 1)) {
      t += (59 - d.getUTCMinutes()) * MINUTE; // on to the next hour
      continue;
    }
    if (!minutes?.has(d.getUTCMinutes())) continue;
    const dayOk = days?.has(d.getUTCDate()) ?? false;
    const weekdayOk = (weekdays?.has(d.getUTCDay()) ?? false) || (d.getUTCDay() === 0 && (weekdays?.has(7) ?? false));
    const runs = dayRestricted && weekdayRestricted ? dayOk || weekdayOk : dayOk && weekdayOk;
    if (runs) return t;
  }
  return undefined;
}
