import { parseLogLine } from './log-line.ts';
import type { ClusterSnapshot } from './snapshot.ts';
import { HOUR, MINUTE, snapshotNow, toMs } from './time.ts';

/*
 * "Recent" is measured back from when the symptom began (the onset), never from when the evidence was read: an alert
 * investigated hours after it fired would otherwise take a responder's later fix for the cause and lose the change that
 * broke it. Three windows, nested, all before the onset:
 *   CHANGE_WINDOW          a change this close before the onset likely caused it (the ranking favours it the nearer);
 *   SUSPECT_CHANGE_WINDOW  a change this close before is still a candidate a detector may name;
 *   STANDING_TROUBLE       trouble begun this long before has gone on through days the symptom did not exist: standing.
 */

/**
 * How long before a symptom began a change is still recent enough to be its likely cause: what a change broke shows
 * within hours, so a change that stood longer without harm (what it touched worked through those hours) is history.
 */
export const CHANGE_WINDOW = 3 * HOUR;

/**
 * How long before a symptom began a change (a rollout, an edited ConfigMap, Secret or Service) is still a candidate
 * cause a detector names: twice CHANGE_WINDOW, since a fault may wait for its first caller, cron run or cache expiry.
 */
export const SUSPECT_CHANGE_WINDOW = 6 * HOUR;

/**
 * How close before the onset an edit of a Secret makes its readers worth hearing: a credential that is refused fails
 * at the next login, reconnect or pool refresh, within the hour or two that follows.
 */
export const EDITED_SECRET_WINDOW = 2 * HOUR;

/**
 * Trouble that began this long before the symptom (a pod stuck for days, a warning first recorded last week) has gone
 * on through days the symptom did not exist: a standing condition, no sign of where the new symptom is.
 */
export const STANDING_TROUBLE = 24 * HOUR;

/** An alert fires some minutes after its fault begins: a change up to this long after its start may still be the cause. */
export const AFTER_ONSET_SLACK = 15 * MINUTE;

/** How far back from the snapshot the logs read may date the onset when the alert does not. */
const ESTIMATE_REACH = 2 * HOUR;

/** When the symptom began, in ms, and whether the alert said so (`known`) or it was estimated from the evidence. */
export interface Onset {
  at: number;
  known: boolean;
  /** The snapshot's time: how late a change may be against an onset only estimated. */
  now: number;
}

/**
 * When the symptom began: the alert's start; else the first line of the last two hours in the current logs read (what
 * was read was read because the symptom's pods print trouble); else the snapshot's time. Every detector and the ranking
 * take the onset from here, so a change is recent by one measure everywhere.
 */
export function symptomOnset(snapshot: Pick<ClusterSnapshot, 'now' | 'logs'>, startsAt?: string): Onset {
  const now = snapshotNow(snapshot);
  const alerted = toMs(startsAt);
  if (alerted !== undefined) return { at: alerted, known: true, now };
  const firstLine = snapshot.logs
    .filter((log) => !log.previous)
    .flatMap((log) => log.lines.map((line) => toMs(parseLogLine(line).at)))
    .filter((ms): ms is number => ms !== undefined && ms <= now && ms >= now - ESTIMATE_REACH)
    .sort((a, b) => a - b)[0];
  return { at: firstLine ?? now, known: false, now };
}

/**
 * Whether a change made at `at` (ms or RFC 3339) may have caused the symptom: made within `window` before the onset, or
 * after it by no more than the alert's lag. A change well after the onset is a response (a responder's attempted fix) or
 * noise, never the cause. An estimated onset is not precise enough to hold a later change against it: up to the
 * snapshot, then.
 */
export function changedBeforeOnset(
  at: number | string | undefined,
  onset: Onset,
  window: number = SUSPECT_CHANGE_WINDOW,
): boolean {
  const ms = typeof at === 'string' ? toMs(at) : at;
  if (ms === undefined) return false;
  const latest = onset.known ? onset.at + AFTER_ONSET_SLACK : onset.now;
  return ms >= onset.at - window && ms <= latest;
}
