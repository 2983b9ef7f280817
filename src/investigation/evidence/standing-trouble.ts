import { eventTime, firstSeen, type KubeEvent, occurrences } from './events.ts';
import { MINUTE, toMs } from './time.ts';
import { STANDING_TROUBLE } from './onset.ts';

/**
 * The kubelet retries a crash-looping container at most five minutes apart and records each back-off: an event repeated
 * on average at least this often from its first time to its last has never paused.
 */
const CONTINUOUS_PACE = 10 * MINUTE;

/**
 * Whether an event is a standing condition at `since` (ms, where the symptom's window begins): first recorded over
 * STANDING_TROUBLE before it, and either not seen since or repeated without pause all along. An event that comes back in
 * bursts (a probe failing at each of a leak's restarts) is not: its return is current trouble.
 */
export function standingEvent(event: KubeEvent, since: number): boolean {
  const first = toMs(firstSeen([event]));
  if (first === undefined || first >= since - STANDING_TROUBLE) return false;
  const last = toMs(eventTime(event));
  if (last === undefined || last < since) return true;
  return occurrences(event) * CONTINUOUS_PACE >= last - first;
}

/** Whether something that began at `began` (a pod's creation) began over STANDING_TROUBLE before `since` (ms). */
export function standingSince(began: string | undefined, since: number): boolean {
  const at = toMs(began);
  return at !== undefined && at < since - STANDING_TROUBLE;
}
