import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ListItemsReader } from '../../src/kube/list-items.ts';

/** Reads `text` in chunks of `size` bytes: the items handed on, in order, and the rest. */
function read(text: string, size: number): { items: unknown[]; rest: Record<string, unknown> } {
  const items: unknown[] = [];
  const reader = new ListItemsReader((item) => items.push(item));
  const bytes = Buffer.from(text, 'utf8');
  for (let from = 0; from < bytes.length; from += size) reader.push(bytes.subarray(from, from + size));
  return { items, rest: reader.end() };
}

const LIST = {
  kind: 'PodList',
  apiVersion: 'v1',
  metadata: { resourceVersion: '42', continue: 'eyJ2IjoibWV0YS5rOHMuaW8vdjEifQ', remainingItemCount: 7 },
  items: [
    {
      metadata: { name: 'a', labels: { 'app.kubernetes.io/name': 'ä{[' } },
      spec: { containers: [{ args: ['}', ']'] }] },
    },
    { metadata: { name: 'b "quoted" \\ back\\slash', annotations: { note: '😀 \u2028 {"items":[1]}' } }, status: {} },
    {},
    { items: [{ nested: true }], data: [[], [{}], null, 0, -1.5e3, false] },
  ],
};

describe('ListItemsReader', () => {
  it('hands on each item as JSON.parse of the whole list gives it, and the rest without them, however the bytes are cut', () => {
    const text = JSON.stringify(LIST, null, 1);
    const { items, ...rest } = JSON.parse(text) as typeof LIST;
    for (const size of [1, 2, 3, 5, 7, 64, text.length]) {
      const got = read(text, size);
      assert.deepEqual(got.items, items, `chunks of ${size} bytes`);
      assert.deepEqual(got.rest, { ...rest, items: [] }, `chunks of ${size} bytes`);
    }
  });

  it('ends a string at its closing quote only, whatever runs of backslashes come before it and wherever a chunk ends', () => {
    const tricky = ['\\', '\\\\', '"', '\\"', '\\\\"', 'a\\', 'end\\\\\\', '"}]{[', '\\u0022', ''];
    const list = {
      kind: 'List',
      items: tricky.map((value, index) => ({ [`k${value}`]: value, n: index, list: [value, { value }] })),
      metadata: { continue: tricky.join('|') },
    };
    const text = JSON.stringify(list);
    for (let size = 1; size <= 17; size++) {
      const got = read(text, size);
      assert.deepEqual(got.items, list.items, `chunks of ${size} bytes`);
      assert.deepEqual(got.rest, { ...list, items: [] }, `chunks of ${size} bytes`);
    }
  });

  it('reads the list whatever the order of its fields, and an empty or absent items array', () => {
    const after = `{"metadata":{"continue":""},"items":[{"a":1} , {"b":[2]}],"kind":"List"}`;
    assert.deepEqual(read(after, 4), {
      items: [{ a: 1 }, { b: [2] }],
      rest: { metadata: { continue: '' }, items: [], kind: 'List' },
    });
    assert.deepEqual(read('{"items":[],"kind":"List"}', 3), { items: [], rest: { items: [], kind: 'List' } });
    assert.deepEqual(read('{"kind":"Status","code":410}', 5), { items: [], rest: { kind: 'Status', code: 410 } });
    // A string of the list object too long to spread into arguments, and keys that only begin like `items`.
    const message = 'x'.repeat(500_000);
    assert.deepEqual(read(`{"message":"${message}","itemsX":[{"a":1}],"items":[{"b":2}]}`, 4096), {
      items: [{ b: 2 }],
      rest: { message, itemsX: [{ a: 1 }], items: [] },
    });
  });

  it('refuses what is not a whole list of objects', () => {
    assert.throws(() => read('{"items":[{"a":1}', 4), SyntaxError);
    assert.throws(() => read('{"items":[1,2]}', 4), SyntaxError);
    assert.throws(() => read('{"items":[{"a":1,}]}', 4), SyntaxError);
  });
});
