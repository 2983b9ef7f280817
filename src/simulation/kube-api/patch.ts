import { isRecord } from './object.ts';

/** A patch that cannot be applied to the object; the server answers 422. */
export class PatchError extends Error {}

type Json = unknown;
type JsonObject = Record<string, unknown>;

// ---- RFC 6902 JSON Patch ----

interface Operation {
  op: string;
  path: string;
  from?: string;
  value?: Json;
}

function pointer(path: string): string[] {
  if (path === '') return [];
  if (!path.startsWith('/')) throw new PatchError(`invalid JSON pointer "${path}": must start with /`);
  return path
    .slice(1)
    .split('/')
    .map((token) => token.replace(/~1/g, '/').replace(/~0/g, '~'));
}

const equal = (a: Json, b: Json): boolean => {
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((item, i) => equal(item, b[i]));
  if (isRecord(a) && isRecord(b)) {
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((key) => Object.hasOwn(b, key) && equal(a[key], b[key]));
  }
  return a === b;
};

function arrayIndex(token: string, array: unknown[], forAdd: boolean): number {
  if (forAdd && token === '-') return array.length;
  if (!/^(0|[1-9][0-9]*)$/.test(token)) throw new PatchError(`invalid array index "${token}"`);
  const index = Number(token);
  if (index > array.length || (!forAdd && index === array.length)) {
    throw new PatchError(`array index ${index} out of bounds`);
  }
  return index;
}

/** The container the last token addresses, after walking the rest of the path. */
function parentOf(document: Json, tokens: string[], path: string): Json {
  let current = document;
  for (const token of tokens.slice(0, -1)) {
    if (Array.isArray(current)) current = current[arrayIndex(token, current, false)];
    else if (isRecord(current) && Object.hasOwn(current, token)) current = current[token];
    else throw new PatchError(`doc is missing path: "${path}"`);
  }
  return current;
}

function read(document: Json, path: string): Json {
  const tokens = pointer(path);
  if (tokens.length === 0) return document;
  const parent = parentOf(document, tokens, path);
  const last = tokens.at(-1)!;
  if (Array.isArray(parent)) return parent[arrayIndex(last, parent, false)];
  if (isRecord(parent) && Object.hasOwn(parent, last)) return parent[last];
  throw new PatchError(`doc is missing path: "${path}"`);
}

function add(document: Json, path: string, value: Json): Json {
  const tokens = pointer(path);
  if (tokens.length === 0) return value;
  const parent = parentOf(document, tokens, path);
  const last = tokens.at(-1)!;
  if (Array.isArray(parent)) parent.splice(arrayIndex(last, parent, true), 0, value);
  else if (isRecord(parent)) parent[last] = value;
  else throw new PatchError(`doc is missing path: "${path}"`);
  return document;
}

function remove(document: Json, path: string): Json {
  const tokens = pointer(path);
  if (tokens.length === 0) throw new PatchError('cannot remove the whole document');
  const parent = parentOf(document, tokens, path);
  const last = tokens.at(-1)!;
  if (Array.isArray(parent)) parent.splice(arrayIndex(last, parent, false), 1);
  else if (isRecord(parent) && Object.hasOwn(parent, last)) delete parent[last];
  else throw new PatchError(`doc is missing path: "${path}"`);
  return document;
}

export function applyJsonPatch(original: Json, patch: Json): Json {
  if (!Array.isArray(patch)) throw new PatchError('a JSON patch must be an array of operations');
  let document = structuredClone(original);
  for (const raw of patch) {
    if (!isRecord(raw) || typeof raw.op !== 'string' || typeof raw.path !== 'string') {
      throw new PatchError('each JSON patch operation needs "op" and "path"');
    }
    // Checked above: a record with a string op and path; from and value are checked where an op needs them.
    const operation: Operation = { ...raw, op: raw.op, path: raw.path };
    const value = () => {
      if (!Object.hasOwn(raw, 'value')) throw new PatchError(`operation "${operation.op}" needs a value`);
      return structuredClone(operation.value);
    };
    const from = () => {
      if (typeof operation.from !== 'string') throw new PatchError(`operation "${operation.op}" needs "from"`);
      return operation.from;
    };
    switch (operation.op) {
      case 'add':
        document = add(document, operation.path, value());
        break;
      case 'remove':
        document = remove(document, operation.path);
        break;
      case 'replace':
        read(document, operation.path);
        document = add(remove(document, operation.path), operation.path, value());
        break;
      case 'move': {
        const moved = read(document, from());
        document = add(remove(document, from()), operation.path, moved);
        break;
      }
      case 'copy':
        document = add(document, operation.path, structuredClone(read(document, from())));
        break;
      case 'test':
        if (!equal(read(document, operation.path), operation.value)) {
          throw new PatchError(`testing value ${operation.path} failed`);
        }
        break;
      default:
        throw new PatchError(`unexpected kind of JSON patch operation: "${operation.op}"`);
    }
  }
  return document;
}

// ---- RFC 7386 JSON Merge Patch ----

export function applyMergePatch(target: Json, patch: Json): Json {
  if (!isRecord(patch)) return structuredClone(patch);
  const result: JsonObject = isRecord(target) ? structuredClone(target) : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = applyMergePatch(result[key], value);
  }
  return result;
}

// ---- Kubernetes strategic merge patch ----

/**
 * patchMergeKey of the built-in lists a remediation touches, by field name. Lists not named here are
 * replaced whole, as for fields without a patch strategy. `ports` is keyed by containerPort in a container
 * and by port in a Service; the elements tell which.
 */
const MERGE_KEYS: Record<string, string> = {
  containers: 'name',
  initContainers: 'name',
  ephemeralContainers: 'name',
  volumes: 'name',
  env: 'name',
  volumeMounts: 'mountPath',
  volumeDevices: 'devicePath',
  imagePullSecrets: 'name',
  hostAliases: 'ip',
  ownerReferences: 'uid',
  conditions: 'type',
  resourceClaims: 'name',
  topologySpreadConstraints: 'topologyKey',
};
/** Lists of primitives merged as sets. */
const SET_LISTS = new Set(['finalizers']);

function mergeKeyFor(field: string, elements: unknown[]): string | undefined {
  if (field === 'ports') {
    return elements.some((element) => isRecord(element) && 'containerPort' in element) ? 'containerPort' : 'port';
  }
  return MERGE_KEYS[field];
}

function strategicList(field: string, target: unknown, patch: unknown[]): unknown[] {
  const current = Array.isArray(target) ? target : [];
  if (patch.some((element) => isRecord(element) && element.$patch === 'replace')) {
    return patch.filter((element) => !(isRecord(element) && element.$patch === 'replace'));
  }
  if (SET_LISTS.has(field)) return [...new Set([...current, ...patch])];
  const mergeKey = mergeKeyFor(field, [...current, ...patch]);
  if (!mergeKey || !patch.every(isRecord)) return structuredClone(patch);
  const result = structuredClone(current) as unknown[];
  for (const element of patch as JsonObject[]) {
    const index = result.findIndex((item) => isRecord(item) && item[mergeKey] === element[mergeKey]);
    if (element.$patch === 'delete') {
      if (index >= 0) result.splice(index, 1);
    } else if (index >= 0) result[index] = applyStrategicMergePatch(result[index], element);
    else result.push(applyStrategicMergePatch({}, element));
  }
  return result;
}

export function applyStrategicMergePatch(target: Json, patch: Json): Json {
  if (!isRecord(patch)) return structuredClone(patch);
  if (patch.$patch === 'replace') {
    const { $patch: _directive, ...rest } = patch;
    return structuredClone(rest);
  }
  if (patch.$patch === 'delete') return undefined;
  const result: JsonObject = isRecord(target) ? structuredClone(target) : {};
  for (const [key, value] of Object.entries(patch)) {
    if (key === '$patch' || key === '$retainKeys' || key.startsWith('$setElementOrder/')) continue;
    if (key.startsWith('$deleteFromPrimitiveList/')) {
      const field = key.slice('$deleteFromPrimitiveList/'.length);
      const list = result[field];
      if (Array.isArray(list) && Array.isArray(value)) result[field] = list.filter((item) => !value.includes(item));
      continue;
    }
    if (value === null) delete result[key];
    else if (Array.isArray(value)) result[key] = strategicList(key, result[key], value);
    else {
      const merged = applyStrategicMergePatch(result[key], value);
      if (merged === undefined) delete result[key];
      else result[key] = merged;
    }
  }
  if (Array.isArray(patch.$retainKeys)) {
    for (const key of Object.keys(result)) if (!patch.$retainKeys.includes(key)) delete result[key];
  }
  return result;
}
