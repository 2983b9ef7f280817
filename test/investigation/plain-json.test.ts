import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { plainJson } from '../../src/investigation/tools/plain-json.ts';

/** What the walk stands for: the JSON text written and read back. */
const roundTrip = (value: unknown) => {
  const text = JSON.stringify(value);
  return { object: JSON.parse(text), bytes: text.length };
};

class Model {
  name = 'web-1';
  creationTimestamp = new Date('2026-05-01T10:00:00Z');
  deletionTimestamp = undefined;
  _from = [{ podSelector: {} }];
}

describe('plainJson', () => {
  const cases: [string, unknown][] = [
    ['a model with Dates and undefined fields', new Model()],
    ['numbers of every kind', { nan: Number.NaN, inf: -Infinity, negativeZero: -0, small: 1e-7, big: 1e21, n: 3.25 }],
    ['arrays with holes and what objects leave out', [1, undefined, () => 1, Symbol('s'), null, [], {}]],
    ['strings JSON escapes', { 'quo"te': 'a"b\\c\n\u0001', emoji: '😀', lone: '\ud800x', tab: '\t' }],
    ['an own __proto__ key', JSON.parse('{"__proto__": {"polluted": true}, "a": 1}')],
    [
      'nested toJSON with its key',
      { at: { toJSON: (key: string) => `key:${key}` }, list: [{ toJSON: () => undefined }] },
    ],
    ['boxed values and booleans', { s: Object('x'), n: Object(2), yes: true, no: false }],
    ['integer-like keys', { b: 1, 2: 'two', a: { 1: [], 0: '' } }],
  ];
  for (const [what, value] of cases) {
    it(`gives what the JSON round trip gives: ${what}`, () => {
      const walked = plainJson(value);
      const expected = roundTrip(value);
      assert.deepEqual(walked.object, expected.object);
      assert.equal(JSON.stringify(walked.object), JSON.stringify(expected.object));
      assert.equal(walked.bytes, expected.bytes);
    });
  }

  it('keeps an own __proto__ key a field, never the prototype', () => {
    const { object } = plainJson(JSON.parse('{"__proto__": {"polluted": true}}'));
    assert.equal(Object.getPrototypeOf(object), Object.prototype);
    assert.deepEqual(Object.keys(object as object), ['__proto__']);
  });
});
