import type {
  Aggregation,
  ArithmeticOp,
  Binary,
  BinaryOp,
  Call,
  ComparisonOp,
  Expr,
  MatrixSelector,
  VectorMatching,
  VectorSelector,
} from './ast.ts';
import { PromQLError } from './errors.ts';
import { bucketQuantile } from './histogram.ts';
import { compileSelector, type Labels } from './matchers.ts';
import { KEEPS_METRIC_NAME, RANGE_FUNCTIONS } from './range-functions.ts';
import type { Point, StoredSeries } from './series.ts';

/** How far back an instant selector looks for a sample (Prometheus's default staleness). */
const LOOKBACK_MS = 5 * 60_000;

export interface Sample {
  metric: Labels;
  value: number;
}

export interface RangeSeries {
  metric: Labels;
  points: Point[];
}

export type Value =
  | { type: 'scalar'; value: number }
  | { type: 'vector'; samples: Sample[] }
  | { type: 'matrix'; series: RangeSeries[] };

const MATH_FUNCTIONS: Record<string, (value: number) => number> = {
  abs: Math.abs,
  ceil: Math.ceil,
  floor: Math.floor,
  sqrt: Math.sqrt,
  exp: Math.exp,
  ln: Math.log,
  log2: Math.log2,
  log10: Math.log10,
};

/** Evaluates a parsed expression at one instant (milliseconds) over in-memory series. */
export class Evaluator {
  constructor(private readonly store: readonly StoredSeries[]) {}

  evaluate(expr: Expr, time: number): Value {
    switch (expr.type) {
      case 'number':
        return { type: 'scalar', value: expr.value };
      case 'paren':
        return this.evaluate(expr.expr, time);
      case 'vectorSelector':
        return { type: 'vector', samples: this.selectInstant(expr, time) };
      case 'matrixSelector':
        return { type: 'matrix', series: this.selectRange(expr, time) };
      case 'unary':
        return uniqueLabelsets(this.unary(expr.op, this.evaluate(expr.expr, time)));
      case 'call':
        return uniqueLabelsets(this.call(expr, time));
      case 'aggregation': {
        const param = expr.param ? this.expectScalar(expr.param, time, expr.op) : NaN;
        return { type: 'vector', samples: aggregate(expr, param, this.expectVector(expr.expr, time, expr.op)) };
      }
      case 'binary':
        return uniqueLabelsets(this.binary(expr, time));
    }
  }

  private selectInstant(selector: VectorSelector, time: number): Sample[] {
    const at = time - selector.offsetMs;
    const samples: Sample[] = [];
    for (const series of this.matching(selector)) {
      const point = lastAtOrBefore(series.points, at);
      if (point && point.t > at - LOOKBACK_MS) samples.push({ metric: series.metric, value: point.v });
    }
    return samples;
  }

  private selectRange({ selector, rangeMs }: MatrixSelector, time: number): RangeSeries[] {
    const end = time - selector.offsetMs;
    const start = end - rangeMs;
    const result: RangeSeries[] = [];
    for (const series of this.matching(selector)) {
      const points = series.points.filter((point) => point.t > start && point.t <= end);
      if (points.length > 0) result.push({ metric: series.metric, points });
    }
    return result;
  }

  private matching(selector: VectorSelector): StoredSeries[] {
    const matches = compileSelector(selector.matchers);
    return this.store.filter((series) => matches(series.metric));
  }

  private unary(op: '+' | '-', value: Value): Value {
    if (op === '+') return value;
    if (value.type === 'scalar') return { type: 'scalar', value: -value.value };
    if (value.type === 'vector') {
      return { type: 'vector', samples: value.samples.map((s) => ({ metric: dropName(s.metric), value: -s.value })) };
    }
    throw new PromQLError('unary expression only allowed on expressions of type scalar or instant vector');
  }

  private call(call: Call, time: number): Value {
    const name = call.func;
    const rangeFunction = RANGE_FUNCTIONS[name];
    if (rangeFunction) {
      this.arity(call, 1);
      const arg = call.args[0]!;
      if (arg.type !== 'matrixSelector') {
        throw new PromQLError(`expected type range vector in call to function "${name}", got ${typeName(arg)}`);
      }
      const end = time - arg.selector.offsetMs;
      const samples: Sample[] = [];
      for (const series of this.selectRange(arg, time)) {
        const value = rangeFunction({ points: series.points, start: end - arg.rangeMs, end });
        if (value === undefined) continue;
        samples.push({ metric: KEEPS_METRIC_NAME.has(name) ? series.metric : dropName(series.metric), value });
      }
      return { type: 'vector', samples };
    }
    const math = MATH_FUNCTIONS[name];
    if (math) {
      this.arity(call, 1);
      return mapVector(this.expectVector(call.args[0]!, time, name), math);
    }
    switch (name) {
      case 'histogram_quantile':
        return this.histogramQuantile(call, time);
      case 'clamp_min':
      case 'clamp_max': {
        this.arity(call, 2);
        const bound = this.expectScalar(call.args[1]!, time, name);
        const clamp = name === 'clamp_min' ? Math.max : Math.min;
        return mapVector(this.expectVector(call.args[0]!, time, name), (value) => clamp(value, bound));
      }
      case 'scalar': {
        this.arity(call, 1);
        const samples = this.expectVector(call.args[0]!, time, name);
        return { type: 'scalar', value: samples.length === 1 ? samples[0]!.value : NaN };
      }
      case 'vector':
        this.arity(call, 1);
        return { type: 'vector', samples: [{ metric: {}, value: this.expectScalar(call.args[0]!, time, name) }] };
      case 'time':
        this.arity(call, 0);
        return { type: 'scalar', value: time / 1000 };
      default:
        throw new PromQLError(`unknown or unsupported function "${name}" (see the simulator's README for the subset)`);
    }
  }

  private histogramQuantile(call: Call, time: number): Value {
    this.arity(call, 2);
    const q = this.expectScalar(call.args[0]!, time, 'histogram_quantile');
    const groups = new Map<string, { metric: Labels; buckets: { upperBound: number; count: number }[] }>();
    for (const sample of this.expectVector(call.args[1]!, time, 'histogram_quantile')) {
      const le = sample.metric.le;
      if (le === undefined) continue;
      const { le: _le, __name__: _name, ...metric } = sample.metric;
      const key = signature(metric);
      const group = groups.get(key) ?? { metric, buckets: [] };
      group.buckets.push({ upperBound: le === '+Inf' ? Infinity : Number(le), count: sample.value });
      groups.set(key, group);
    }
    const samples = [...groups.values()].map(({ metric, buckets }) => ({ metric, value: bucketQuantile(q, buckets) }));
    return { type: 'vector', samples };
  }

  private binary(expr: Binary, time: number): Value {
    const lhs = this.evaluate(expr.lhs, time);
    const rhs = this.evaluate(expr.rhs, time);
    if (lhs.type === 'matrix' || rhs.type === 'matrix') {
      throw new PromQLError('binary expression must contain only scalar and instant vector types');
    }
    const isSetOp = expr.op === 'and' || expr.op === 'or' || expr.op === 'unless';
    if (isSetOp && (lhs.type !== 'vector' || rhs.type !== 'vector')) {
      throw new PromQLError(`set operator "${expr.op}" not allowed in binary scalar expression`);
    }
    if (lhs.type === 'scalar' && rhs.type === 'scalar') {
      const value = applyOp(expr.op as ArithmeticOp | ComparisonOp, lhs.value, rhs.value);
      return { type: 'scalar', value: isComparison(expr.op) ? Number(value !== 0) : value };
    }
    if (lhs.type === 'vector' && rhs.type === 'vector') {
      if (isSetOp) return { type: 'vector', samples: setOperation(expr.op, lhs.samples, rhs.samples, expr.matching) };
      return { type: 'vector', samples: vectorVector(expr, lhs.samples, rhs.samples) };
    }
    const vector = lhs.type === 'vector' ? lhs.samples : (rhs as { samples: Sample[] }).samples;
    const scalar = lhs.type === 'scalar' ? lhs.value : (rhs as { value: number }).value;
    const scalarOnLeft = lhs.type === 'scalar';
    const samples: Sample[] = [];
    for (const sample of vector) {
      const [left, right] = scalarOnLeft ? [scalar, sample.value] : [sample.value, scalar];
      const combined = combine(expr, left, right, sample.value);
      if (combined !== undefined) samples.push({ metric: resultLabels(expr, sample.metric), value: combined });
    }
    return { type: 'vector', samples };
  }

  private expectVector(expr: Expr, time: number, context: string): Sample[] {
    const value = this.evaluate(expr, time);
    if (value.type !== 'vector') {
      throw new PromQLError(
        `expected type instant vector in ${context}, got ${value.type === 'matrix' ? 'range vector' : value.type}`,
      );
    }
    return value.samples;
  }

  private expectScalar(expr: Expr, time: number, context: string): number {
    const value = this.evaluate(expr, time);
    if (value.type !== 'scalar') {
      throw new PromQLError(
        `expected type scalar in ${context}, got ${value.type === 'matrix' ? 'range vector' : 'instant vector'}`,
      );
    }
    return value.value;
  }

  private arity(call: Call, count: number): void {
    if (call.args.length !== count) {
      throw new PromQLError(`expected ${count} argument(s) in call to "${call.func}", got ${call.args.length}`);
    }
  }
}

// Dropping the metric name can make two series identical; Prometheus refuses such a result rather than merge them.
function uniqueLabelsets(value: Value): Value {
  if (value.type !== 'vector') return value;
  const seen = new Set<string>();
  for (const sample of value.samples) {
    const key = signature(sample.metric);
    if (seen.has(key)) throw new PromQLError('vector cannot contain metrics with the same labelset', 'execution');
    seen.add(key);
  }
  return value;
}

function aggregate({ op, grouping }: Aggregation, param: number, samples: Sample[]): Sample[] {
  const groups = new Map<string, { metric: Labels; samples: Sample[] }>();
  for (const sample of samples) {
    const metric =
      grouping.mode === 'by'
        ? Object.fromEntries(grouping.labels.filter((l) => l in sample.metric).map((l) => [l, sample.metric[l]!]))
        : withoutLabels(dropName(sample.metric), grouping.labels);
    const key = signature(metric);
    const group = groups.get(key) ?? { metric, samples: [] };
    group.samples.push(sample);
    groups.set(key, group);
  }
  return [...groups.values()].flatMap(({ metric, samples: members }) => {
    if (op === 'topk' || op === 'bottomk') return selectK(op, param, members);
    return [
      {
        metric,
        value: aggregateValues(
          op,
          param,
          members.map((sample) => sample.value),
        ),
      },
    ];
  });
}

// topk/bottomk keep the selected samples whole (labels and name), largest (smallest) first; NaN sorts last.
function selectK(op: 'topk' | 'bottomk', k: number, samples: Sample[]): Sample[] {
  const count = Math.floor(k);
  if (!(count >= 1)) return [];
  const rank = (value: number) => (Number.isNaN(value) ? -Infinity : op === 'topk' ? value : -value);
  return [...samples].sort((a, b) => rank(b.value) - rank(a.value)).slice(0, count);
}

function aggregateValues(op: Exclude<Aggregation['op'], 'topk' | 'bottomk'>, param: number, values: number[]): number {
  const total = values.reduce((sum, value) => sum + value, 0);
  switch (op) {
    case 'sum':
      return total;
    case 'avg':
      return total / values.length;
    case 'count':
      return values.length;
    case 'quantile':
      return quantile(param, values);
    case 'min':
    case 'max': {
      const numbers = values.filter((value) => !Number.isNaN(value));
      if (numbers.length === 0) return NaN;
      return op === 'min' ? Math.min(...numbers) : Math.max(...numbers);
    }
  }
}

// Prometheus's quantile: linear interpolation between the closest ranks of the sorted values.
function quantile(q: number, values: number[]): number {
  if (Number.isNaN(q)) return NaN;
  if (q < 0) return -Infinity;
  if (q > 1) return Infinity;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = q * (sorted.length - 1);
  const lower = Math.max(0, Math.floor(rank));
  const upper = Math.min(sorted.length - 1, lower + 1);
  const weight = rank - Math.floor(rank);
  return sorted[lower]! * (1 - weight) + sorted[upper]! * weight;
}

// One-to-one matching: every left sample pairs with the right sample of the same signature.
function vectorVector(expr: Binary, lhs: Sample[], rhs: Sample[]): Sample[] {
  const matchKey = (metric: Labels) => signature(matchingLabels(metric, expr.matching));
  const right = new Map<string, Sample>();
  for (const sample of rhs) {
    const key = matchKey(sample.metric);
    if (right.has(key)) {
      throw new PromQLError(
        'found duplicate series for the match group on the right hand-side of the operation; many-to-many matching not allowed: matching labels must be unique on one side',
        'execution',
      );
    }
    right.set(key, sample);
  }
  const seen = new Set<string>();
  const samples: Sample[] = [];
  for (const sample of lhs) {
    const key = matchKey(sample.metric);
    const match = right.get(key);
    if (!match) continue;
    if (seen.has(key)) {
      throw new PromQLError(
        'found duplicate series for the match group on the left hand-side of the operation; many-to-one matching must be explicit (group_left/group_right)',
        'execution',
      );
    }
    seen.add(key);
    const combined = combine(expr, sample.value, match.value, sample.value);
    if (combined === undefined) continue;
    let metric = resultLabels(expr, sample.metric);
    if (expr.matching) metric = matchingLabels(metric, expr.matching, false);
    samples.push({ metric, value: combined });
  }
  return samples;
}

function setOperation(op: BinaryOp, lhs: Sample[], rhs: Sample[], matching: VectorMatching | null): Sample[] {
  const key = (sample: Sample) => signature(matchingLabels(sample.metric, matching));
  const rightKeys = new Set(rhs.map(key));
  if (op === 'and') return lhs.filter((sample) => rightKeys.has(key(sample)));
  if (op === 'unless') return lhs.filter((sample) => !rightKeys.has(key(sample)));
  const leftKeys = new Set(lhs.map(key));
  return [...lhs, ...rhs.filter((sample) => !leftKeys.has(key(sample)))];
}

/** The value an arithmetic or comparison yields, or undefined when a comparison filters the sample out. */
function combine(expr: Binary, left: number, right: number, vectorValue: number): number | undefined {
  const result = applyOp(expr.op as ArithmeticOp | ComparisonOp, left, right);
  if (!isComparison(expr.op)) return result;
  if (expr.returnBool) return result;
  return result === 1 ? vectorValue : undefined;
}

function applyOp(op: ArithmeticOp | ComparisonOp, a: number, b: number): number {
  switch (op) {
    case '+':
      return a + b;
    case '-':
      return a - b;
    case '*':
      return a * b;
    case '/':
      return a / b;
    case '%':
      return a % b;
    case '^':
      return a ** b;
    case '==':
      return Number(a === b);
    case '!=':
      return Number(a !== b);
    case '>':
      return Number(a > b);
    case '<':
      return Number(a < b);
    case '>=':
      return Number(a >= b);
    case '<=':
      return Number(a <= b);
  }
}

const isComparison = (op: BinaryOp) => ['==', '!=', '>', '<', '>=', '<='].includes(op);

// Arithmetic and `bool` comparisons change what the value means, so the metric name goes; filters keep it.
function resultLabels(expr: Binary, metric: Labels): Labels {
  return isComparison(expr.op) && !expr.returnBool ? metric : dropName(metric);
}

function matchingLabels(metric: Labels, matching: VectorMatching | null, forSignature = true): Labels {
  if (!matching) return forSignature ? dropName(metric) : metric;
  if (matching.mode === 'on') {
    return Object.fromEntries(matching.labels.filter((l) => l in metric).map((l) => [l, metric[l]!]));
  }
  return withoutLabels(forSignature ? dropName(metric) : metric, matching.labels);
}

function mapVector(samples: Sample[], fn: (value: number) => number): Value {
  return { type: 'vector', samples: samples.map((s) => ({ metric: dropName(s.metric), value: fn(s.value) })) };
}

function lastAtOrBefore(points: Point[], time: number): Point | undefined {
  let found: Point | undefined;
  for (const point of points) {
    if (point.t > time) break;
    found = point;
  }
  return found;
}

function dropName(metric: Labels): Labels {
  const { __name__: _name, ...rest } = metric;
  return rest;
}

function withoutLabels(metric: Labels, labels: string[]): Labels {
  return Object.fromEntries(Object.entries(metric).filter(([name]) => !labels.includes(name)));
}

/** A canonical key for a label set (sorted), for grouping and matching. */
export function signature(metric: Labels): string {
  return JSON.stringify(Object.entries(metric).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

function typeName(expr: Expr): string {
  if (expr.type === 'number') return 'scalar';
  return 'instant vector';
}
