/**
 * The length of `JSON.stringify(value)` (UTF-16 code units), without building the string: a tool call's audit row
 * records it as `resultBytes` (tool.ts), and a result of thousands of objects was serialized for that number alone.
 * The same walk as JSON.stringify over arrays and objects (toJSON honoured, boxed primitives unboxed, undefined,
 * functions and symbols left out of objects and null in arrays); each primitive is JSON.stringify's own, one at a time.
 * Throws what it throws: a BigInt; a cycle (as a RangeError here).
 */
export function jsonLength(value: unknown): number {
  const length = lengthOf(value, '');
  if (length === undefined) throw new TypeError('jsonLength: the value has no JSON text');
  return length;
}

/** What makes a string's JSON longer than itself plus its quotes: only then is it worth serializing. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: JSON escapes exactly these (below 0x20).
const ESCAPED = /["\\\u0000-\u001f\ud800-\udfff]/;

const quotedLength = (text: string): number => (ESCAPED.test(text) ? JSON.stringify(text).length : text.length + 2);

/** The length of the JSON text of `value` as the property `key` of its holder; undefined where it has none. */
function lengthOf(input: unknown, key: string): number | undefined {
  let value = input;
  // JSON.stringify asks objects and BigInts for toJSON, not strings, numbers or booleans.
  if ((typeof value === 'object' && value !== null) || typeof value === 'bigint') {
    const toJSON = (value as { toJSON?: unknown }).toJSON;
    if (typeof toJSON === 'function') value = toJSON.call(value, key);
  }
  if (value instanceof Number) value = Number(value);
  else if (value instanceof String) value = String(value);
  else if (value instanceof Boolean) value = value.valueOf();
  // Not handed to JSON.stringify, which would ask them for toJSON a second time.
  if (typeof value === 'bigint') throw new TypeError('Do not know how to serialize a BigInt');
  if (typeof value === 'function') return undefined;
  if (typeof value === 'string') return quotedLength(value);
  if (typeof value !== 'object' || value === null) return (JSON.stringify(value) as string | undefined)?.length;
  if (Array.isArray(value)) {
    let length = 2 + Math.max(0, value.length - 1);
    for (let i = 0; i < value.length; i++) length += lengthOf(value[i], String(i)) ?? 4;
    return length;
  }
  let length = 2;
  let members = 0;
  const object = value as Record<string, unknown>;
  for (const name of Object.keys(object)) {
    const member = lengthOf(object[name], name);
    if (member === undefined) continue;
    length += quotedLength(name) + 1 + member;
    members++;
  }
  return length + Math.max(0, members - 1);
}
