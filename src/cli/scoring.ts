import type { EntityRef } from '../investigation/model.ts';

/**
 * The scenario format's rule: the prediction is correct when it names one of the ground-truth refs — kind and name
 * exactly, namespace exactly where the ref has one. No partial credit.
 */
export function isCorrect(predicted: EntityRef | null, expected: readonly EntityRef[]): boolean {
  if (!predicted) return false;
  return expected.some(
    (ref) =>
      ref.kind === predicted.kind &&
      ref.name === predicted.name &&
      (ref.namespace === undefined || ref.namespace === predicted.namespace),
  );
}

export interface ScoredRun {
  correct: boolean;
  faultTypeCorrect: boolean;
  requests: number;
  ms: number;
}

export interface Summary {
  total: number;
  correct: number;
  accuracy: number;
  faultTypeAccuracy: number;
  medianRequests: number;
  p95Requests: number;
  medianMs: number;
  p95Ms: number;
}

export function summarize(runs: readonly ScoredRun[]): Summary {
  const total = runs.length;
  const correct = runs.filter((run) => run.correct).length;
  const faultTypeCorrect = runs.filter((run) => run.faultTypeCorrect).length;
  const requests = runs.map((run) => run.requests);
  const ms = runs.map((run) => run.ms);
  return {
    total,
    correct,
    accuracy: total === 0 ? 0 : correct / total,
    faultTypeAccuracy: total === 0 ? 0 : faultTypeCorrect / total,
    medianRequests: median(requests),
    p95Requests: percentile(requests, 95),
    medianMs: median(ms),
    p95Ms: percentile(ms, 95),
  };
}

/**
 * The application a scenario belongs to, for per-application figures: the first word of its id
 * (`shop-cart-oom` → `shop`). Ids are `[a-z0-9-]+`, so the word is never empty for a valid file.
 */
export function applicationOf(scenarioId: string): string {
  return scenarioId.split('-')[0]!;
}

/** `summarize` per application (see `applicationOf`), keyed and ordered by application name. */
export function summarizeByApplication<T extends ScoredRun & { id: string }>(
  runs: readonly T[],
): Record<string, Summary> {
  const groups = new Map<string, T[]>();
  for (const run of runs) {
    const application = applicationOf(run.id);
    groups.set(application, [...(groups.get(application) ?? []), run]);
  }
  return Object.fromEntries(
    [...groups.keys()].sort().map((application) => [application, summarize(groups.get(application)!)]),
  );
}

/** The middle value (mean of the two middle values for an even count); 0 for no values. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** Nearest-rank percentile: the smallest value with at least p% of the values at or below it; 0 for no values. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1]!;
}
