import type { VectorSelector } from './ast.ts';
import { PromQLError } from './errors.ts';
import { compileSelector, type Labels } from './matchers.ts';
import { parse } from './parser.ts';
import type { StoredSeries } from './series.ts';

export interface TimeBounds {
  start: number;
  end: number;
}

/** Series that match any of the `match[]` selectors and have a sample within the bounds (milliseconds). */
export function selectSeries(store: readonly StoredSeries[], selectors: string[], bounds: TimeBounds): StoredSeries[] {
  const predicates = selectors.map((text) => compileSelector(parseSelector(text).matchers));
  return store.filter(
    (series) =>
      (predicates.length === 0 || predicates.some((matches) => matches(series.metric))) &&
      series.points.some((point) => point.t >= bounds.start && point.t <= bounds.end),
  );
}

export function labelNames(series: readonly StoredSeries[]): string[] {
  return [...new Set(series.flatMap((entry) => Object.keys(entry.metric)))].sort();
}

export function labelValues(series: readonly StoredSeries[], name: string): string[] {
  const values = series.map((entry) => entry.metric[name]).filter((value): value is string => value !== undefined);
  return [...new Set(values)].sort();
}

export function seriesLabels(series: readonly StoredSeries[]): Labels[] {
  return series.map((entry) => entry.metric);
}

function parseSelector(text: string): VectorSelector {
  const expr = parse(text);
  if (expr.type !== 'vectorSelector') {
    throw new PromQLError(`invalid parameter "match[]": expected a series selector, got "${text}"`);
  }
  return expr;
}
