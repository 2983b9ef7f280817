import { eventTime, firstSeen, type KubeEvent, occurrences } from './events.ts';
import { HOUR, MINUTE, toMs } from './time.ts';
import { STANDING_TROUBLE } from './onset.ts';

/**
 * The kubelet retries a crash-looping container at most five minutes apart and records each back-off: an event repeated
 * on average at least this often from its first time to its last has never paused.
 */
const CONTINUOUS_PACE = 10 * MINUTE;

/**
 * An event recurring for this long before the symptom's window, every day of it or more often (a kubelet's warning
 * about a node's resolv.conf, a platform agent's periodic complaint), has recurred through weeks without the symptom:
 * that it recurs again in the window is its habit, not news of this incident.
 */
const CHRONIC_SPAN = 7 * 24 * HOUR;
const CHRONIC_PACE = 24 * HOUR;

/**
 * Whether an event is a standing condition at `since` (ms, where the symptom's window begins): first recorded over
 * STANDING_TROUBLE before it, and either not seen since, repeated without pause all along, or chronic (recurring at
 * least daily for over a week before it). An event that comes back in bursts after days of quiet (a probe failing at
 * each of a leak's restarts) is not: its return is current trouble.
 */
export function standingEvent(event: KubeEvent, since: number): boolean {
  const first = toMs(firstSeen([event]));
  if (first === undefined || first >= since - STANDING_TROUBLE) return false;
  const last = toMs(eventTime(event));
  if (last === undefined || last < since) return true;
  if (occurrences(event) * CONTINUOUS_PACE >= last - first) return true;
  return first < since - CHRONIC_SPAN && occurrences(event) * CHRONIC_PACE >= last - first;
}

/** Whether something that began at `began` (a pod's creation) began over STANDING_TROUBLE before `since` (ms). */
export function standingSince(began: string | undefined, since: number): boolean {
  const at = toMs(began);
  return at !== undefined && at < since - STANDING_TROUBLE;
}
