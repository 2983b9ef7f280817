import type { Labels } from './matchers.ts';

/** A series as a scenario file holds it: labels (with `__name__`) and `[unixSeconds, "value"]` samples. */
export interface ScenarioSeries {
  metric: Record<string, string>;
  values: ReadonlyArray<readonly [number, string | number]>;
}

export interface Point {
  /** Milliseconds since the epoch. */
  t: number;
  v: number;
}

export interface StoredSeries {
  metric: Labels;
  points: Point[];
}

/** Converts scenario series to millisecond points sorted by time; "NaN", "+Inf" and "-Inf" parse as Prometheus writes them. */
export function toStoredSeries(series: readonly ScenarioSeries[]): StoredSeries[] {
  return series.map(({ metric, values }) => ({
    metric: { ...metric },
    points: values
      .map(([seconds, value]) => ({ t: Math.round(seconds * 1000), v: parseSampleValue(value) }))
      .sort((a, b) => a.t - b.t),
  }));
}

function parseSampleValue(value: string | number): number {
  if (typeof value === 'number') return value;
  if (value === '+Inf' || value === 'Inf') return Infinity;
  if (value === '-Inf') return -Infinity;
  return Number(value);
}
