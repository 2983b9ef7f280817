import { type Hypothesis, type InvestigationResult, type Progress, refKey } from './model.ts';

type Diagnosis = Pick<InvestigationResult, 'hypotheses' | 'ruledOut'>;

/** Confidence has to rise at least this much to be worth a "strengthened" message in the thread. */
const NOTABLE_RISE = 0.05;

const keyOf = (hypothesis: Hypothesis): string => `${refKey(hypothesis.entity)}#${hypothesis.faultType}`;

/**
 * What changed between two successive diagnoses, as the thread should hear it: hypotheses that appeared, those whose
 * confidence rose, and those that disappeared or were ruled out (with the reason when the ranking gave one).
 */
export function hypothesisChanges(before: Diagnosis | null, after: Diagnosis): Progress[] {
  const previous = new Map((before?.hypotheses ?? []).map((hypothesis) => [keyOf(hypothesis), hypothesis]));
  const current = new Map(after.hypotheses.map((hypothesis) => [keyOf(hypothesis), hypothesis]));
  const changes: Progress[] = [];
  for (const [key, hypothesis] of current) {
    const earlier = previous.get(key);
    if (!earlier) changes.push({ type: 'hypothesis', change: 'added', hypothesis });
    else if (hypothesis.confidence >= earlier.confidence + NOTABLE_RISE) {
      changes.push({ type: 'hypothesis', change: 'strengthened', hypothesis });
    }
  }
  for (const [key, hypothesis] of previous) {
    if (current.has(key)) continue;
    const ruling = after.ruledOut.find((ruled) => refKey(ruled.entity) === refKey(hypothesis.entity));
    const stillSuspected = after.hypotheses.some((other) => refKey(other.entity) === refKey(hypothesis.entity));
    if (stillSuspected && !ruling) continue;
    changes.push({
      type: 'hypothesis',
      change: 'ruled-out',
      hypothesis,
      reason: ruling?.reason ?? 'no longer supported once more evidence was read',
    });
  }
  return changes;
}
