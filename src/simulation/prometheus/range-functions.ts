import type { Point } from './series.ts';

/** The window a range function sees: samples in (start, end], oldest first. Times in milliseconds. */
export interface Window {
  points: Point[];
  start: number;
  end: number;
}

type RangeFunction = (window: Window) => number | undefined;

/**
 * Prometheus's extrapolatedRate (promql/functions.go): the change over the window, corrected for counter resets,
 * extrapolated to the window edges when the samples come close enough to them (within 110% of the average interval),
 * and never below the counter's zero point.
 */
function extrapolatedChange({ points, start, end }: Window, isCounter: boolean, isRate: boolean): number | undefined {
  if (points.length < 2) return undefined;
  const first = points[0]!;
  const last = points[points.length - 1]!;
  let change = last.v - first.v;
  if (isCounter) {
    let previous = 0;
    for (const point of points) {
      if (point.v < previous) change += previous;
      previous = point.v;
    }
  }
  let durationToStart = (first.t - start) / 1000;
  let durationToEnd = (end - last.t) / 1000;
  const sampledInterval = (last.t - first.t) / 1000;
  const averageInterval = sampledInterval / (points.length - 1);
  const threshold = averageInterval * 1.1;
  if (durationToStart >= threshold) durationToStart = averageInterval / 2;
  if (isCounter && change > 0 && first.v >= 0) {
    const durationToZero = sampledInterval * (first.v / change);
    if (durationToZero < durationToStart) durationToStart = durationToZero;
  }
  if (durationToEnd >= threshold) durationToEnd = averageInterval / 2;
  let factor = (sampledInterval + durationToStart + durationToEnd) / sampledInterval;
  if (isRate) factor /= (end - start) / 1000;
  return change * factor;
}

function instantRate({ points }: Window): number | undefined {
  if (points.length < 2) return undefined;
  const last = points[points.length - 1]!;
  const previous = points[points.length - 2]!;
  // A counter reset: the counter restarted from zero, so everything it counted since is the last value.
  const change = last.v < previous.v ? last.v : last.v - previous.v;
  return change / ((last.t - previous.t) / 1000);
}

// Least-squares slope per second, as Prometheus's deriv.
function derivative({ points }: Window): number | undefined {
  if (points.length < 2) return undefined;
  const origin = points[0]!.t;
  let sumX = 0;
  let sumY = 0;
  let sumXY = 0;
  let sumX2 = 0;
  for (const { t, v } of points) {
    const x = (t - origin) / 1000;
    sumX += x;
    sumY += v;
    sumXY += x * v;
    sumX2 += x * x;
  }
  const n = points.length;
  return (n * sumXY - sumX * sumY) / (n * sumX2 - sumX * sumX);
}

const values = (window: Window) => window.points.map((point) => point.v);
const sum = (numbers: number[]) => numbers.reduce((total, value) => total + value, 0);
// min/max ignore NaN unless every sample is NaN, as in Prometheus.
const extreme = (numbers: number[], pick: (a: number, b: number) => number) =>
  numbers.reduce((best, value) => (Number.isNaN(best) ? value : Number.isNaN(value) ? best : pick(best, value)));

export const RANGE_FUNCTIONS: Record<string, RangeFunction> = {
  rate: (window) => extrapolatedChange(window, true, true),
  increase: (window) => extrapolatedChange(window, true, false),
  delta: (window) => extrapolatedChange(window, false, false),
  irate: instantRate,
  deriv: derivative,
  avg_over_time: (window) => sum(values(window)) / window.points.length,
  sum_over_time: (window) => sum(values(window)),
  min_over_time: (window) => extreme(values(window), Math.min),
  max_over_time: (window) => extreme(values(window), Math.max),
  count_over_time: (window) => window.points.length,
  last_over_time: (window) => window.points[window.points.length - 1]!.v,
};

/** Functions whose result keeps the metric name (all others drop it, as in Prometheus). */
export const KEEPS_METRIC_NAME = new Set(['last_over_time']);
