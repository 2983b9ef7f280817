import { PromQLError } from './errors.ts';

export type TokenType = 'number' | 'duration' | 'string' | 'ident' | 'op' | 'eof';

export interface Token {
  type: TokenType;
  text: string;
  /** Decoded value of a string token. */
  value?: string;
  pos: number;
}

// Longest first so that `=~` is not read as `=` then `~`.
const OPERATORS = [
  '==',
  '!=',
  '<=',
  '>=',
  '=~',
  '!~',
  '+',
  '-',
  '*',
  '/',
  '%',
  '^',
  '<',
  '>',
  '=',
  ',',
  '(',
  ')',
  '{',
  '}',
  '[',
  ']',
  '@',
];
const IDENT_START = /[a-zA-Z_:]/;
const IDENT_PART = /[a-zA-Z0-9_:]/;
const DIGIT = /[0-9]/;
const DURATION_UNIT = /[smhdwy]/;
const ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', '"': '"', "'": "'", '`': '`' };

export function tokenize(input: string): Token[] {
  const tokens: Token[] = [];
  let pos = 0;
  while (pos < input.length) {
    const ch = input[pos]!;
    if (/\s/.test(ch)) {
      pos++;
    } else if (ch === '#') {
      while (pos < input.length && input[pos] !== '\n') pos++;
    } else if (DIGIT.test(ch) || (ch === '.' && DIGIT.test(input[pos + 1] ?? ''))) {
      pos = readNumberOrDuration(input, pos, tokens);
    } else if (IDENT_START.test(ch)) {
      const start = pos;
      while (pos < input.length && IDENT_PART.test(input[pos]!)) pos++;
      tokens.push({ type: 'ident', text: input.slice(start, pos), pos: start });
    } else if (ch === '"' || ch === "'" || ch === '`') {
      pos = readString(input, pos, tokens);
    } else {
      const op = OPERATORS.find((candidate) => input.startsWith(candidate, pos));
      if (!op) throw new PromQLError(`1:${pos + 1}: parse error: unexpected character: '${ch}'`);
      tokens.push({ type: 'op', text: op, pos });
      pos += op.length;
    }
  }
  tokens.push({ type: 'eof', text: '', pos });
  return tokens;
}

function readNumberOrDuration(input: string, start: number, tokens: Token[]): number {
  let pos = start;
  const hex = /^0[xX][0-9a-fA-F]+/.exec(input.slice(start));
  if (hex) {
    tokens.push({ type: 'number', text: hex[0], pos: start });
    return start + hex[0].length;
  }
  while (pos < input.length && /[0-9.]/.test(input[pos]!)) pos++;
  if (DURATION_UNIT.test(input[pos] ?? '')) {
    // A duration: digits and units, possibly compound (`1h30m`).
    while (pos < input.length && /[0-9smhdwy]/.test(input[pos]!)) pos++;
    tokens.push({ type: 'duration', text: input.slice(start, pos), pos: start });
    return pos;
  }
  if (/[eE]/.test(input[pos] ?? '') && /[-+0-9]/.test(input[pos + 1] ?? '')) {
    pos += 2;
    while (pos < input.length && DIGIT.test(input[pos]!)) pos++;
  }
  tokens.push({ type: 'number', text: input.slice(start, pos), pos: start });
  return pos;
}

function readString(input: string, start: number, tokens: Token[]): number {
  const quote = input[start]!;
  let pos = start + 1;
  let value = '';
  while (pos < input.length && input[pos] !== quote) {
    if (input[pos] === '\\' && quote !== '`') {
      const next = input[pos + 1] ?? '';
      // Unknown escapes (e.g. `\.` inside a regex) are kept verbatim, as regexes need them.
      value += ESCAPES[next] ?? `\\${next}`;
      pos += 2;
    } else {
      value += input[pos];
      pos++;
    }
  }
  if (pos >= input.length) throw new PromQLError(`1:${start + 1}: parse error: unterminated quoted string`);
  tokens.push({ type: 'string', text: input.slice(start, pos + 1), value, pos: start });
  return pos + 1;
}
