import type { ClusterSnapshot } from '../evidence/snapshot.ts';
import { toMs } from '../evidence/time.ts';
import type { Focus } from '../focus.ts';
import type { Finding } from '../model.ts';
import { CHANGE_AFTER_START_FACTOR, HISTORY_FACTOR, RECENT_CHANGE_BONUS } from './weights.ts';
import { AFTER_ONSET_SLACK, CHANGE_WINDOW, type Onset, symptomOnset } from '../evidence/onset.ts';

/**
 * A fault its pods got over this long before the symptom began (twice the slack an alert lags its fault by) was over
 * before the symptom started: what broke then had come back.
 */
export const RECOVERED_BEFORE = 2 * AFTER_ONSET_SLACK;

/**
 * When the symptom began (evidence/onset.ts, as every detector measures it). Only the alert's own start is precise
 * enough to hold a later change against a candidate.
 */
export function incidentStart(focus: Focus, snapshot: ClusterSnapshot): Onset {
  return symptomOnset(snapshot, focus.startedAt);
}

/**
 * How much time says about a finding: a change shortly before the symptom began makes it likelier; evidence that all
 * dates from long before the incident makes it history.
 */
export function timeFactor(
  finding: Finding,
  incident: { at: number; known: boolean },
): { factor: number; history: boolean; lastSeen?: string; recovered?: boolean } {
  const start = incident.at;
  const recovered = toMs(finding.recoveredAt);
  if (recovered !== undefined && recovered < start - RECOVERED_BEFORE) {
    return { factor: HISTORY_FACTOR, history: true, lastSeen: finding.recoveredAt, recovered: true };
  }
  const times = finding.evidence.map((e) => e.at);
  const dated = times.filter((t): t is string => toMs(t) !== undefined);
  const lastSeen = dated.sort().at(-1);
  if (dated.length === times.length && lastSeen && (toMs(lastSeen) as number) < start - CHANGE_WINDOW) {
    return { factor: HISTORY_FACTOR, history: true, lastSeen };
  }
  const changed = toMs(finding.changedAt);
  if (changed === undefined) return { factor: 1, history: false };
  const gap = start - changed;
  if (gap < -AFTER_ONSET_SLACK) return { factor: incident.known ? CHANGE_AFTER_START_FACTOR : 1, history: false };
  if (gap > CHANGE_WINDOW) return { factor: 1, history: false };
  return { factor: 1 + RECENT_CHANGE_BONUS * (1 - Math.max(0, gap) / CHANGE_WINDOW), history: false };
}
