/** The PromQL syntax tree of the supported subset (see README.md). Times and durations are in milliseconds. */

export type MatchOp = '=' | '!=' | '=~' | '!~';

export interface LabelMatcher {
  name: string;
  op: MatchOp;
  value: string;
}

export interface VectorSelector {
  type: 'vectorSelector';
  matchers: LabelMatcher[];
  offsetMs: number;
}

export interface MatrixSelector {
  type: 'matrixSelector';
  selector: VectorSelector;
  rangeMs: number;
}

export interface NumberLiteral {
  type: 'number';
  value: number;
}

export interface Call {
  type: 'call';
  func: string;
  args: Expr[];
}

export const AGGREGATIONS = ['sum', 'avg', 'min', 'max', 'count'] as const;
/** Aggregations whose first argument is a parameter: `topk(3, v)`, `quantile(0.9, v)`. */
export const PARAMETRIC_AGGREGATIONS = ['topk', 'bottomk', 'quantile'] as const;
export type AggregationOp = (typeof AGGREGATIONS)[number] | (typeof PARAMETRIC_AGGREGATIONS)[number];

export interface Aggregation {
  type: 'aggregation';
  op: AggregationOp;
  /** k of topk/bottomk, φ of quantile. */
  param: Expr | null;
  expr: Expr;
  /** `by` keeps only these labels, `without` drops them (and the metric name). */
  grouping: { mode: 'by' | 'without'; labels: string[] };
}

const ARITHMETIC_OPS = ['+', '-', '*', '/', '%', '^'] as const;
export const COMPARISON_OPS = ['==', '!=', '>', '<', '>=', '<='] as const;
const SET_OPS = ['and', 'or', 'unless'] as const;
export type ArithmeticOp = (typeof ARITHMETIC_OPS)[number];
export type ComparisonOp = (typeof COMPARISON_OPS)[number];
export type SetOp = (typeof SET_OPS)[number];
export type BinaryOp = ArithmeticOp | ComparisonOp | SetOp;

export interface VectorMatching {
  /** `on (...)` matches on exactly these labels, `ignoring (...)` on all labels but these. */
  mode: 'on' | 'ignoring';
  labels: string[];
}

export interface Binary {
  type: 'binary';
  op: BinaryOp;
  lhs: Expr;
  rhs: Expr;
  /** Comparison returns 0/1 instead of filtering. */
  returnBool: boolean;
  matching: VectorMatching | null;
}

export interface Unary {
  type: 'unary';
  op: '+' | '-';
  expr: Expr;
}

export interface Paren {
  type: 'paren';
  expr: Expr;
}

export type Expr = VectorSelector | MatrixSelector | NumberLiteral | Call | Aggregation | Binary | Unary | Paren;
