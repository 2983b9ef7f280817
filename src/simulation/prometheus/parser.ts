import {
  AGGREGATIONS,
  type AggregationOp,
  type BinaryOp,
  COMPARISON_OPS,
  type Expr,
  type LabelMatcher,
  type MatchOp,
  PARAMETRIC_AGGREGATIONS,
  type VectorMatching,
  type VectorSelector,
} from './ast.ts';
import { parseDuration } from './duration.ts';
import { PromQLError } from './errors.ts';
import { type Token, tokenize } from './lexer.ts';
import { compileMatcher } from './matchers.ts';

// Binding power of binary operators, loosest first; `^` is the only right-associative one.
const PRECEDENCE: Record<string, number> = {
  or: 1,
  and: 2,
  unless: 2,
  '==': 3,
  '!=': 3,
  '<': 3,
  '>': 3,
  '<=': 3,
  '>=': 3,
  '+': 4,
  '-': 4,
  '*': 5,
  '/': 5,
  '%': 5,
  '^': 6,
};
const UNSUPPORTED_AGGREGATIONS = ['stddev', 'stdvar', 'count_values', 'group', 'limitk', 'limit_ratio'];
const ALL_AGGREGATIONS: readonly string[] = [...AGGREGATIONS, ...PARAMETRIC_AGGREGATIONS];

/** Parses a PromQL expression of the supported subset; anything else is a `PromQLError` (bad_data). */
export function parse(query: string): Expr {
  if (query.trim() === '') throw new PromQLError('1:1: parse error: no expression found in input');
  const parser = new Parser(tokenize(query));
  const expr = parser.parseExpr(0);
  parser.expectEnd();
  return expr;
}

class Parser {
  private index = 0;
  constructor(private readonly tokens: Token[]) {}

  parseExpr(minPrecedence: number): Expr {
    let lhs = this.parseUnary();
    for (;;) {
      const op = this.binaryOperator();
      const precedence = op ? PRECEDENCE[op]! : 0;
      if (!op || precedence < minPrecedence) return lhs;
      this.next();
      const returnBool = this.acceptIdent('bool');
      if (returnBool && !(COMPARISON_OPS as readonly string[]).includes(op)) {
        this.fail('bool modifier can only be used on comparison operators');
      }
      const matching = this.parseVectorMatching();
      const rhs = this.parseExpr(op === '^' ? precedence : precedence + 1);
      if (lhs.type === 'number' && rhs.type === 'number' && !returnBool && PRECEDENCE[op] === 3) {
        this.fail('comparisons between scalars must use BOOL modifier');
      }
      lhs = { type: 'binary', op, lhs, rhs, returnBool, matching };
    }
  }

  expectEnd(): void {
    const token = this.peek();
    if (token.type !== 'eof') this.fail(`unexpected ${describe(token)}`);
  }

  private binaryOperator(): BinaryOp | null {
    const token = this.peek();
    const text = token.type === 'ident' ? token.text.toLowerCase() : token.text;
    if ((token.type === 'op' || token.type === 'ident') && text in PRECEDENCE) return text as BinaryOp;
    return null;
  }

  private parseVectorMatching(): VectorMatching | null {
    const mode = this.acceptIdent('on') ? 'on' : this.acceptIdent('ignoring') ? 'ignoring' : null;
    if (!mode) return null;
    const labels = this.parseLabelList();
    if (this.isIdent('group_left') || this.isIdent('group_right')) {
      this.fail('group_left/group_right (many-to-one matching) is not supported by this simulator');
    }
    return { mode, labels };
  }

  private parseUnary(): Expr {
    const token = this.peek();
    if (token.type === 'op' && (token.text === '-' || token.text === '+')) {
      this.next();
      return { type: 'unary', op: token.text, expr: this.parseExpr(PRECEDENCE['^']!) };
    }
    return this.parsePostfix(this.parsePrimary());
  }

  private parsePrimary(): Expr {
    const token = this.next();
    switch (token.type) {
      case 'number':
        return { type: 'number', value: Number(token.text) };
      case 'string':
        return this.fail('string literals are not supported by this simulator');
      case 'duration':
        return this.fail(`unexpected duration "${token.text}"`);
      case 'op':
        if (token.text === '(') {
          const expr = this.parseExpr(0);
          this.expectOp(')');
          return { type: 'paren', expr };
        }
        if (token.text === '{') return this.parseSelector(null);
        return this.fail(`unexpected ${describe(token)}`);
      case 'ident':
        return this.parseIdentifier(token.text);
      default:
        return this.fail('unexpected end of input');
    }
  }

  private parseIdentifier(name: string): Expr {
    const lower = name.toLowerCase();
    if (lower === 'inf' || lower === 'nan') return { type: 'number', value: lower === 'inf' ? Infinity : NaN };
    if (ALL_AGGREGATIONS.includes(lower) && (this.isOp('(') || this.isGroupingKeyword())) {
      return this.parseAggregation(lower as AggregationOp);
    }
    if (UNSUPPORTED_AGGREGATIONS.includes(lower) && (this.isOp('(') || this.isGroupingKeyword())) {
      this.fail(`aggregation "${lower}" is not supported by this simulator`);
    }
    if (this.isOp('(')) {
      this.next();
      const args: Expr[] = [];
      while (!this.isOp(')')) {
        args.push(this.parseExpr(0));
        if (!this.isOp(')')) this.expectOp(',');
      }
      this.next();
      return { type: 'call', func: name, args };
    }
    return this.parseSelector(name);
  }

  private parseAggregation(op: AggregationOp): Expr {
    let grouping = this.parseGrouping();
    this.expectOp('(');
    const parametric = (PARAMETRIC_AGGREGATIONS as readonly string[]).includes(op);
    let param: Expr | null = null;
    if (parametric) {
      param = this.parseExpr(0);
      this.expectOp(',');
    }
    const expr = this.parseExpr(0);
    if (this.isOp(',')) this.fail(`aggregation "${op}" takes ${parametric ? 'two arguments' : 'exactly one argument'}`);
    this.expectOp(')');
    const suffix = this.parseGrouping();
    if (grouping && suffix) this.fail('aggregation may have only one by/without clause');
    grouping = grouping ?? suffix;
    return { type: 'aggregation', op, param, expr, grouping: grouping ?? { mode: 'by', labels: [] } };
  }

  private parseGrouping(): { mode: 'by' | 'without'; labels: string[] } | null {
    if (this.acceptIdent('by')) return { mode: 'by', labels: this.parseLabelList() };
    if (this.acceptIdent('without')) return { mode: 'without', labels: this.parseLabelList() };
    return null;
  }

  private parseLabelList(): string[] {
    this.expectOp('(');
    const labels: string[] = [];
    while (!this.isOp(')')) {
      const token = this.next();
      if (token.type !== 'ident' && token.type !== 'string') this.fail(`unexpected ${describe(token)} in grouping`);
      labels.push(token.value ?? token.text);
      if (!this.isOp(')')) this.expectOp(',');
    }
    this.next();
    return labels;
  }

  private parseSelector(name: string | null): VectorSelector {
    const matchers: LabelMatcher[] = name ? [{ name: '__name__', op: '=', value: name }] : [];
    if (name === null || this.isOp('{')) {
      if (name !== null) this.next();
      while (!this.isOp('}')) {
        matchers.push(this.parseMatcher());
        if (!this.isOp('}')) this.expectOp(',');
      }
      this.next();
    }
    if (matchers.every((matcher) => compileMatcher(matcher)(''))) {
      this.fail('vector selector must contain at least one non-empty matcher');
    }
    return { type: 'vectorSelector', matchers, offsetMs: 0 };
  }

  private parseMatcher(): LabelMatcher {
    const label = this.next();
    if (label.type !== 'ident' && label.type !== 'string') this.fail(`unexpected ${describe(label)} in label matching`);
    const op = this.next();
    if (op.type !== 'op' || !['=', '!=', '=~', '!~'].includes(op.text)) {
      this.fail(`unexpected ${describe(op)} in label matching, expected one of "=", "!=", "=~" or "!~"`);
    }
    const value = this.next();
    if (value.type !== 'string') this.fail(`unexpected ${describe(value)} in label matching, expected string`);
    const matcher: LabelMatcher = { name: label.value ?? label.text, op: op.text as MatchOp, value: value.value ?? '' };
    compileMatcher(matcher);
    return matcher;
  }

  private parsePostfix(expr: Expr): Expr {
    let result = expr;
    if (this.isOp('[')) {
      this.next();
      if (result.type !== 'vectorSelector') this.fail('ranges only allowed for vector selectors');
      const rangeMs = this.parseDurationToken();
      if (this.peek().type === 'ident' && this.peek().text.startsWith(':')) {
        this.fail('subqueries are not supported by this simulator');
      }
      this.expectOp(']');
      result = { type: 'matrixSelector', selector: result, rangeMs };
    }
    if (this.acceptIdent('offset')) {
      const negative = this.isOp('-');
      if (negative) this.next();
      const offsetMs = this.parseDurationToken() * (negative ? -1 : 1);
      if (result.type === 'vectorSelector') result = { ...result, offsetMs };
      else if (result.type === 'matrixSelector') result = { ...result, selector: { ...result.selector, offsetMs } };
      else this.fail('offset modifier must be preceded by an instant vector selector or range vector selector');
    }
    if (this.isOp('@')) this.fail('the @ modifier is not supported by this simulator');
    if (this.isOp('[')) this.fail('subqueries are not supported by this simulator');
    return result;
  }

  private parseDurationToken(): number {
    const token = this.next();
    if (token.type === 'duration') return parseDuration(token.text);
    if (token.type === 'number') return Number(token.text) * 1000;
    return this.fail(`unexpected ${describe(token)}, expected duration`);
  }

  private isGroupingKeyword(): boolean {
    return this.isIdent('by') || this.isIdent('without');
  }

  private isIdent(word: string): boolean {
    const token = this.peek();
    return token.type === 'ident' && token.text.toLowerCase() === word;
  }

  private acceptIdent(word: string): boolean {
    if (!this.isIdent(word)) return false;
    this.next();
    return true;
  }

  private isOp(text: string): boolean {
    const token = this.peek();
    return token.type === 'op' && token.text === text;
  }

  private expectOp(text: string): void {
    const token = this.next();
    if (token.type !== 'op' || token.text !== text) this.fail(`unexpected ${describe(token)}, expected "${text}"`);
  }

  private peek(): Token {
    return this.tokens[this.index]!;
  }

  private next(): Token {
    const token = this.tokens[this.index]!;
    if (token.type !== 'eof') this.index++;
    return token;
  }

  private fail(message: string): never {
    const token = this.tokens[Math.max(0, this.index - 1)]!;
    throw new PromQLError(`1:${token.pos + 1}: parse error: ${message}`);
  }
}

function describe(token: Token): string {
  return token.type === 'eof' ? 'end of input' : `${token.type} "${token.text}"`;
}
