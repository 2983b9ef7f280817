/**
 * The length of `JSON.stringify(value)` (UTF-16 code units), without building the string: a tool call's audit row
 * records it as `resultBytes` (tool.ts), and a result of thousands of objects was serialized for that number alone.
 * The same walk as JSON.stringify: toJSON honoured, undefined, functions and symbols left out of objects and null in
 * arrays, non-finite numbers null, strings escaped as it escapes them (well-formed: a lone surrogate as \uXXXX).
 * Throws what it throws: a BigInt; a cycle (as a RangeError here).
 */
export function jsonLength(value: unknown): number {
  const length = lengthOf(value, '');
  if (length === undefined) throw new TypeError('jsonLength: the value has no JSON text');
  return length;
}

/** What makes a string's JSON longer than itself plus its quotes. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: JSON escapes exactly these (below 0x20).
const ESCAPED = /["\\\u0000-\u001f\ud800-\udfff]/;

function quotedLength(text: string): number {
  if (!ESCAPED.test(text)) return text.length + 2;
  let length = 2;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (
      code === 0x22 ||
      code === 0x5c ||
      code === 0x08 ||
      code === 0x09 ||
      code === 0x0a ||
      code === 0x0c ||
      code === 0x0d
    )
      length += 2;
    else if (code < 0x20) length += 6;
    else if (code >= 0xd800 && code <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        length += 2;
        i++;
      } else length += 6;
    } else if (code >= 0xdc00 && code <= 0xdfff) length += 6;
    else length += 1;
  }
  return length;
}

/** The length of the JSON text of `value` as the property `key` of its holder; undefined where it has none. */
function lengthOf(input: unknown, key: string): number | undefined {
  let value = input;
  if (typeof value === 'object' && value !== null) {
    const toJSON = (value as { toJSON?: unknown }).toJSON;
    if (typeof toJSON === 'function') value = toJSON.call(value, key);
  } else if (typeof value === 'bigint') {
    const toJSON = (BigInt.prototype as { toJSON?: unknown }).toJSON;
    if (typeof toJSON === 'function') value = toJSON.call(value, key);
  }
  if (value instanceof Number) value = Number(value);
  else if (value instanceof String) value = String(value);
  else if (value instanceof Boolean) value = value.valueOf();
  switch (typeof value) {
    case 'string':
      return quotedLength(value);
    case 'number':
      return Number.isFinite(value) ? String(value).length : 4;
    case 'boolean':
      return value ? 4 : 5;
    case 'bigint':
      throw new TypeError('Do not know how to serialize a BigInt');
    case 'undefined':
    case 'function':
    case 'symbol':
      return undefined;
  }
  if (value === null) return 4;
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
