import { errorMessage } from '../observability/error-message.ts';
import type { DetectorRegistry } from './detectors/index.ts';
import { type EvidenceState, evidenceState, sameEvidence } from './evidence/evidence-state.ts';
import type { ClusterSnapshot } from './evidence/snapshot.ts';
import type { Focus } from './focus.ts';
import { type Diagnosis, diagnose } from './ranking/diagnose.ts';

/** A diagnosis of partial evidence that threw: where, why, and what the investigation left undone for it. */
export interface DiagnosisFailure {
  namespace: string;
  error: string;
  /** What went undone because of it (running hypotheses not posted, a judgement not made). */
  consequence: string;
}

type Outcome = { diagnosis: Diagnosis } | { error: unknown };

/**
 * The diagnoses an investigation makes while it reads: after each wave (the running hypotheses), to judge whether what
 * was read still leaves the symptom unexplained, and of everything read at the end. A diagnosis of partial evidence
 * that throws is collected, never swallowed (as k8sgpt collects its analyzers' errors): the answer says what it left
 * undone. The same evidence is diagnosed once: a wave that read nothing new, and the judgement asked right after a
 * wave, see the snapshot and focus the last call saw (about half the calls of an investigation), and diagnose is pure,
 * so the last outcome stands. Whether the snapshot changed is told from its lists and their lengths
 * (evidence-state.ts), never by serializing it.
 */
export class RunningDiagnoses {
  readonly failures: DiagnosisFailure[] = [];
  private last: { snapshot: ClusterSnapshot; state: EvidenceState; focus: string; outcome: Outcome } | undefined;

  constructor(private readonly detectors: DetectorRegistry | undefined) {}

  /** The diagnosis of the evidence as it stands; throws what diagnosing it throws. */
  of(snapshot: ClusterSnapshot, focus: Focus): Diagnosis {
    const outcome = this.outcome(snapshot, focus);
    if ('error' in outcome) throw outcome.error;
    return outcome.diagnosis;
  }

  /** The diagnosis of partial evidence, or none with the failure collected, saying what went undone (`consequence`). */
  ofPartial(snapshot: ClusterSnapshot, focus: Focus, consequence: string): Diagnosis | undefined {
    const outcome = this.outcome(snapshot, focus);
    if ('diagnosis' in outcome) return outcome.diagnosis;
    this.failures.push({ namespace: focus.namespace, error: errorMessage(outcome.error), consequence });
    return undefined;
  }

  private outcome(snapshot: ClusterSnapshot, focus: Focus): Outcome {
    const state = evidenceState(snapshot);
    const asked = JSON.stringify(focus);
    const { last } = this;
    if (last?.snapshot === snapshot && last.focus === asked && sameEvidence(last.state, state)) return last.outcome;
    let outcome: Outcome;
    try {
      outcome = { diagnosis: diagnose(snapshot, focus, this.detectors) };
    } catch (error) {
      outcome = { error };
    }
    this.last = { snapshot, state, focus: asked, outcome };
    return outcome;
  }
}

/** A failure as the answer states it: each distinct one once, however many waves it recurred in. */
export const describeFailures = (failures: readonly DiagnosisFailure[]): string[] => [
  ...new Set(
    failures.map(
      ({ namespace, error, consequence }) =>
        `Diagnosing the evidence read in ${namespace} failed (${error}): ${consequence}`,
    ),
  ),
];
