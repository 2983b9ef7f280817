import type { ClusterSnapshot } from '../evidence/snapshot.ts';
import { HOUR, MINUTE, toMs } from '../evidence/time.ts';
import type { Focus } from '../focus.ts';
import type { Finding } from '../model.ts';

const CHANGE_WINDOW = 3 * HOUR;

/** When the symptom began: the alert's start, else half an hour before the snapshot. */
export function incidentStart(focus: Focus, snapshot: ClusterSnapshot): number {
  return toMs(focus.startedAt) ?? (toMs(snapshot.now) ?? Date.now()) - 30 * MINUTE;
}

/**
 * How much time says about a finding: a change shortly before the symptom began makes it likelier; evidence that all
 * dates from long before the incident makes it history.
 */
export function timeFactor(finding: Finding, start: number): { factor: number; history: boolean; lastSeen?: string } {
  const times = finding.evidence.map((e) => e.at);
  const dated = times.filter((t): t is string => toMs(t) !== undefined);
  const lastSeen = dated.sort().at(-1);
  if (dated.length === times.length && lastSeen && (toMs(lastSeen) as number) < start - CHANGE_WINDOW) {
    return { factor: 0.2, history: true, lastSeen };
  }
  const changed = toMs(finding.changedAt);
  if (changed === undefined) return { factor: 1, history: false };
  const gap = start - changed;
  if (gap < -15 * MINUTE) return { factor: 0.95, history: false };
  if (gap > CHANGE_WINDOW) return { factor: 1, history: false };
  return { factor: 1 + 0.2 * (1 - Math.max(0, gap) / CHANGE_WINDOW), history: false };
}
