/**
 * What `JSON.parse(JSON.stringify(value))` gives, and the length of that JSON text, in one walk without the text.
 * The Kubernetes client hands back its model classes (Date fields, renamed keys); each object of every list is made
 * plain JSON and weighed against the list's byte budget. Writing the text only to parse it again was most of that
 * cost, and the garbage it left (hundreds of objects per list, a burst of investigations at once) the rest.
 *
 * Same result as the round trip, field by field and byte for byte in the length: `toJSON` (a Date) is called as
 * JSON.stringify calls it, undefined, functions and symbols are left out of objects and are null in arrays,
 * non-finite numbers are null, -0 is 0, and a string's length is that of its escaped JSON form.
 */
export function plainJson(value: unknown): { object: unknown; bytes: number } {
  const sized = { bytes: 0 };
  const object = copy(value, '', sized);
  // At the top, what JSON.stringify would not write at all (undefined): the round trip throws on it; so does this.
  if (object === OMITTED) throw new SyntaxError('plainJson: the value has no JSON form');
  return { object, bytes: sized.bytes };
}

/** Marks a value an object leaves out (undefined, a function, a symbol), as JSON.stringify does. */
export const OMITTED = Symbol('omitted');

/** Characters JSON escapes (quote, backslash, controls, surrogates): a string with none is its own length plus two quotes. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: the control characters are what JSON escapes.
const ESCAPED = /["\\\u0000-\u001f\ud800-\udfff]/;

export const stringBytes = (text: string): number =>
  ESCAPED.test(text) ? JSON.stringify(text).length : text.length + 2;

/** One value of the walk: its plain JSON (OMITTED where an object leaves it out), its bytes added to `sized`. */
export function copy(input: unknown, key: string, sized: { bytes: number }): unknown {
  let value = input;
  if (value !== null && typeof value === 'object' && typeof (value as { toJSON?: unknown }).toJSON === 'function')
    value = (value as { toJSON(key: string): unknown }).toJSON(key);
  switch (typeof value) {
    case 'string':
      sized.bytes += stringBytes(value);
      return value;
    case 'number':
      if (!Number.isFinite(value)) {
        sized.bytes += 4;
        return null;
      }
      sized.bytes += String(value).length;
      return value === 0 ? 0 : value;
    case 'boolean':
      sized.bytes += value ? 4 : 5;
      return value;
    case 'undefined':
    case 'function':
    case 'symbol':
      return OMITTED;
    case 'bigint':
      // JSON.stringify throws on it; so does the round trip this stands for.
      throw new TypeError('Do not know how to serialize a BigInt');
  }
  if (value === null) {
    sized.bytes += 4;
    return null;
  }
  if (value instanceof Number || value instanceof String || value instanceof Boolean)
    return copy(value.valueOf(), key, sized);
  if (Array.isArray(value)) {
    const output: unknown[] = new Array(value.length);
    sized.bytes += 2 + Math.max(0, value.length - 1);
    for (let index = 0; index < value.length; index++) {
      const item = copy(value[index], String(index), sized);
      if (item === OMITTED) {
        sized.bytes += 4;
        output[index] = null;
      } else output[index] = item;
    }
    return output;
  }
  const output: Record<string, unknown> = {};
  let fields = 0;
  sized.bytes += 2;
  for (const field of Object.keys(value as object)) {
    const item = copy((value as Record<string, unknown>)[field], field, sized);
    if (item === OMITTED) continue;
    // `:` and, after the first, `,`.
    sized.bytes += stringBytes(field) + (fields++ > 0 ? 2 : 1);
    if (field === '__proto__')
      Object.defineProperty(output, field, { value: item, enumerable: true, writable: true, configurable: true });
    else output[field] = item;
  }
  return output;
}
