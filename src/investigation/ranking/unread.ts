import type { ClusterSnapshot } from '../evidence/snapshot.ts';
import type { Ranked } from './candidate.ts';
import { UNREAD_FACTOR } from './weights.ts';

/**
 * An answer reasoned from lists cut short (a read budget spent, a list the API refused) is less sure: what was not read
 * may hold a better explanation. Every hypothesis keeps three quarters of its confidence; the answer says what was not
 * read in its assumptions.
 */
export function lowerForUnread(diagnosis: Ranked, snapshot: Pick<ClusterSnapshot, 'incomplete'>): Ranked {
  if (snapshot.incomplete.length === 0 || !diagnosis.rootCause) return diagnosis;
  const lower = (confidence: number) => Math.round(confidence * UNREAD_FACTOR * 100) / 100;
  return {
    ...diagnosis,
    confidence: lower(diagnosis.confidence),
    hypotheses: diagnosis.hypotheses.map((hypothesis) => ({ ...hypothesis, confidence: lower(hypothesis.confidence) })),
  };
}
