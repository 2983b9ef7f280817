import * as models from '@kubernetes/client-node';
import { copy, OMITTED, stringBytes } from './plain-json.ts';

/**
 * What `plainJson(ObjectSerializer.deserialize(json, type))` gives — the API server's JSON read as a client-node model
 * and made plain JSON again — and its bytes, in one walk over the parsed JSON with no model objects between. The model
 * reading kept each object's known fields only, under the model's names (`_from`, `_default`), in the model's order,
 * and made every Date field a Date (so an RFC 3339 time comes back with milliseconds, an unreadable one as null); the
 * engine reads objects in that form, so the walk gives exactly it, for a fraction of the work: the deserializer parses
 * type names again at every value and builds a class instance per object, then plainJson walked the result again.
 *
 * Same as the two steps, field by field, key order and byte count included (test/investigation/model-json.test.ts
 * compares them on every object of every scenario).
 */
export function modelJson(json: unknown, type: string): { object: unknown; bytes: number } {
  const sized = { bytes: 0 };
  const object = planFor(type)(json, sized);
  if (object === OMITTED) throw new SyntaxError('modelJson: the value has no JSON form');
  return { object, bytes: sized.bytes };
}

/** One value read as its type: plain JSON (OMITTED for none), its bytes added to `sized`. */
type Plan = (value: unknown, sized: { bytes: number }) => unknown;

interface Attribute {
  name: string;
  baseName: string;
  type: string;
}
interface Model {
  new (): object;
  getAttributeTypeMap(): Attribute[];
}

/** The deserializer's primitive type names (compared lower-cased, as it does): the value is kept as it is. */
const PRIMITIVES = new Set(['string', 'boolean', 'double', 'integer', 'long', 'float', 'number', 'any']);
const ARRAY = /^Array<(.*)>$/s;
const MAP = /^\{ \[key: string\]: (.*); \}$/s;

const plans = new Map<string, Plan>();

function planFor(type: string): Plan {
  let plan = plans.get(type);
  if (!plan) {
    plan = build(type);
    plans.set(type, plan);
  }
  return plan;
}

/** The value as it is (a primitive, `any`, a type the client does not know): plain JSON of it. */
const kept: Plan = (value, sized) => {
  // Most fields are strings: their bytes without copy()'s checks for what JSON text never holds.
  if (typeof value === 'string') {
    sized.bytes += stringBytes(value);
    return value;
  }
  return copy(value, '', sized);
};

function build(type: string): Plan {
  if (PRIMITIVES.has(type.toLowerCase())) return kept;
  if (type.endsWith(' | null')) return planFor(type.slice(0, -' | null'.length));
  if (type.endsWith(' | undefined')) return planFor(type.slice(0, -' | undefined'.length));
  const array = ARRAY.exec(type);
  if (array) return arrayOf(array[1] as string);
  const map = MAP.exec(type);
  if (map) return mapOf(map[1] as string);
  if (type === 'Date') return date;
  const model = (models as unknown as Record<string, Partial<Model> | undefined>)[type];
  if (typeof model?.getAttributeTypeMap !== 'function') return kept;
  return objectOf(model as Model);
}

/** null stays null, undefined is left out: the deserializer hands both back untouched, whatever the type. */
const absent = (value: unknown, sized: { bytes: number }): unknown => copy(value, '', sized);

const date: Plan = (value, sized) =>
  value === undefined || value === null ? absent(value, sized) : copy(new Date(value as string), '', sized);

function arrayOf(itemType: string): Plan {
  let item: Plan | undefined;
  return (value, sized) => {
    if (value === undefined || value === null) return absent(value, sized);
    item ??= planFor(itemType);
    const output: unknown[] = [];
    for (const entry of value as Iterable<unknown>) {
      const plain = item(entry, sized);
      if (plain === OMITTED) {
        sized.bytes += 4;
        output.push(null);
      } else output.push(plain);
    }
    sized.bytes += 2 + Math.max(0, output.length - 1);
    return output;
  };
}

function mapOf(valueType: string): Plan {
  let entry: Plan | undefined;
  return (value, sized) => {
    if (value === undefined || value === null) return absent(value, sized);
    entry ??= planFor(valueType);
    const output: Record<string, unknown> = {};
    let fields = 0;
    sized.bytes += 2;
    for (const key in value as object) {
      const plain = entry((value as Record<string, unknown>)[key], sized);
      if (plain === OMITTED) continue;
      sized.bytes += stringBytes(key) + (fields++ > 0 ? 2 : 1);
      if (key === '__proto__')
        Object.defineProperty(output, key, { value: plain, enumerable: true, writable: true, configurable: true });
      else output[key] = plain;
    }
    return output;
  };
}

interface Field {
  baseName: string;
  name: string;
  /** The bytes of `"name":`. */
  keyBytes: number;
  plan: Plan;
}

function objectOf(model: Model): Plan {
  let fields: Field[] | undefined;
  return (value, sized) => {
    if (value === undefined || value === null) return absent(value, sized);
    fields ??= model.getAttributeTypeMap().map(({ baseName, name, type }) => ({
      baseName,
      name,
      keyBytes: stringBytes(name) + 1,
      plan: planFor(type),
    }));
    const output: Record<string, unknown> = {};
    const json = value as Record<string, unknown>;
    let written = 0;
    sized.bytes += 2;
    for (let index = 0; index < fields.length; index++) {
      const field = fields[index] as Field;
      const raw = json[field.baseName];
      // An absent field is left out, as the model leaves it unset.
      if (raw === undefined) continue;
      const plain = field.plan(raw, sized);
      if (plain === OMITTED) continue;
      sized.bytes += field.keyBytes + (written++ > 0 ? 1 : 0);
      output[field.name] = plain;
    }
    return output;
  };
}
