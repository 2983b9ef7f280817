import { parseDuration } from './duration.ts';
import { PromQLError } from './errors.ts';
import { Evaluator, type RangeSeries, signature } from './evaluator.ts';
import type { Labels } from './matchers.ts';
import { parse } from './parser.ts';
import type { StoredSeries } from './series.ts';

/** Prometheus refuses range queries with more points per series than this. */
const MAX_POINTS = 11_000;

type SampleValue = [number, string];

export type QueryData =
  | { resultType: 'scalar'; result: SampleValue }
  | { resultType: 'vector'; result: { metric: Labels; value: SampleValue }[] }
  | { resultType: 'matrix'; result: { metric: Labels; values: SampleValue[] }[] };

/** `/api/v1/query`: the expression at one instant (milliseconds). */
export function instantQuery(store: readonly StoredSeries[], query: string, time: number): QueryData {
  const value = new Evaluator(store).evaluate(parse(query), time);
  switch (value.type) {
    case 'scalar':
      return { resultType: 'scalar', result: sampleValue(time, value.value) };
    case 'vector':
      return {
        resultType: 'vector',
        result: value.samples.map((sample) => ({ metric: sample.metric, value: sampleValue(time, sample.value) })),
      };
    case 'matrix':
      return { resultType: 'matrix', result: sortSeries(value.series).map(toMatrixEntry) };
  }
}

/** `/api/v1/query_range`: the expression at every step from start to end (milliseconds), as a matrix. */
export function rangeQuery(
  store: readonly StoredSeries[],
  query: string,
  start: number,
  end: number,
  step: number,
): QueryData {
  if (end < start) throw new PromQLError('end timestamp must not be before start time');
  if (step <= 0)
    throw new PromQLError('zero or negative query resolution step widths are not accepted. Try a positive integer');
  if ((end - start) / step > MAX_POINTS) {
    throw new PromQLError(
      'exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution (?step=XX)',
    );
  }
  const expr = parse(query);
  const evaluator = new Evaluator(store);
  const series = new Map<string, RangeSeries>();
  for (let time = start; time <= end; time += step) {
    const value = evaluator.evaluate(expr, time);
    if (value.type === 'matrix') {
      throw new PromQLError('invalid expression type "range vector" for range query, must be Scalar or instant Vector');
    }
    const samples = value.type === 'scalar' ? [{ metric: {}, value: value.value }] : value.samples;
    for (const sample of samples) {
      const key = signature(sample.metric);
      const entry = series.get(key) ?? { metric: sample.metric, points: [] };
      entry.points.push({ t: time, v: sample.value });
      series.set(key, entry);
    }
  }
  return { resultType: 'matrix', result: sortSeries([...series.values()]).map(toMatrixEntry) };
}

/** Parses a Prometheus API time: RFC 3339 or (fractional) unix seconds. Returns milliseconds. */
export function parseTime(name: string, text: string): number {
  const seconds = Number(text);
  if (text.trim() !== '' && Number.isFinite(seconds)) return Math.round(seconds * 1000);
  const date = Date.parse(text);
  if (/^\d{4}-\d{2}-\d{2}T/.test(text) && !Number.isNaN(date)) return date;
  throw new PromQLError(`invalid parameter "${name}": cannot parse "${text}" to a valid timestamp`);
}

/** Parses a step or timeout: a PromQL duration (`30s`) or (fractional) seconds. Returns milliseconds. */
export function parseStep(name: string, text: string): number {
  const seconds = Number(text);
  if (text.trim() !== '' && Number.isFinite(seconds)) return Math.round(seconds * 1000);
  try {
    return parseDuration(text);
  } catch {
    throw new PromQLError(`invalid parameter "${name}": cannot parse "${text}" to a valid duration`);
  }
}

/** Prometheus writes sample values as strings, with NaN and ±Inf spelled its way. */
function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}

function sampleValue(time: number, value: number): SampleValue {
  return [time / 1000, formatValue(value)];
}

function toMatrixEntry(series: RangeSeries) {
  return { metric: series.metric, values: series.points.map((point) => sampleValue(point.t, point.v)) };
}

function sortSeries(series: RangeSeries[]): RangeSeries[] {
  return series.sort((a, b) => (signature(a.metric) < signature(b.metric) ? -1 : 1));
}
