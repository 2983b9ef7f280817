import assert from 'node:assert/strict';
import { test } from 'node:test';
import { jsonLength } from '../../src/investigation/tools/json-length.ts';

class Quantity {
  constructor(readonly text: string) {}
  toJSON() {
    return this.text;
  }
}

test('jsonLength is the length of JSON.stringify, whatever the value holds', () => {
  const values: unknown[] = [
    null,
    0,
    -1.5e-7,
    1e21,
    Number.NaN,
    Number.POSITIVE_INFINITY,
    true,
    false,
    '',
    'plain',
    'quote " backslash \\ newline \n tab \t cr \r bs \b ff \f nul \u0000 unit \u001f del \u007f',
    'é ü 中文 😀 lone \ud800 and \udc00 pair \ud83d\ude00 end \ud83d',
    [],
    {},
    [1, undefined, () => 1, Symbol('s'), null, 'x'],
    { a: undefined, b: () => 1, c: Symbol('c'), d: 1, 'k"ey\n': 'v' },
    { at: new Date('2026-12-07T22:00:00.123Z'), when: new Date(Number.NaN), q: new Quantity('100Mi') },
    { boxed: [new Number(3), new String('s"'), new Boolean(false)] },
    { nested: { items: Array.from({ length: 50 }, (_, i) => ({ i, name: `pod-${i}`, labels: { app: 'x' } })) } },
    { toJSON: (key: string) => ({ key }) },
    Object.assign(Object.create({ inherited: 1 }), { own: 2 }),
  ];
  for (const value of values) assert.equal(jsonLength(value), JSON.stringify(value).length, JSON.stringify(value));
});

test('jsonLength throws where JSON.stringify throws: a BigInt, a cycle', () => {
  assert.throws(() => jsonLength({ n: 1n }), TypeError);
  const cycle: Record<string, unknown> = {};
  cycle.self = cycle;
  assert.throws(() => jsonLength(cycle));
});
