import { errorMessage } from '../observability/error-message.ts';
import type { DetectorRegistry } from './detectors/index.ts';
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
 * undone. Each call diagnoses afresh: telling whether the evidence changed since the last call would mean serializing
 * the snapshot, which in a namespace of 10,000 pods costs more memory and time than diagnosing it again.
 */
export class RunningDiagnoses {
  readonly failures: DiagnosisFailure[] = [];

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
    try {
      return { diagnosis: diagnose(snapshot, focus, this.detectors) };
    } catch (error) {
      return { error };
    }
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
