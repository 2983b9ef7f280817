/** RFC 6902 operations, the only patch format the executor sends: explicit paths make diffs and rollbacks exact. */
export type JsonPatchOp =
  | { op: 'add'; path: string; value: unknown }
  | { op: 'replace'; path: string; value: unknown }
  | { op: 'remove'; path: string };

export const ABSENT = Symbol('absent');
export type Lookup = unknown | typeof ABSENT;

export const unescapePointerToken = (token: string): string => token.replace(/~1/g, '/').replace(/~0/g, '~');
export const escapePointerToken = (token: string): string => token.replace(/~/g, '~0').replace(/\//g, '~1');

export const pointer = (...tokens: (string | number)[]): string =>
  tokens.map((token) => `/${escapePointerToken(String(token))}`).join('');

/** The value at an RFC 6901 pointer, or ABSENT. */
export function valueAt(document: unknown, path: string): Lookup {
  if (path === '') return document;
  let current: unknown = document;
  for (const token of path.slice(1).split('/').map(unescapePointerToken)) {
    if (Array.isArray(current)) {
      const index = Number(token);
      if (!Number.isInteger(index) || index < 0 || index >= current.length) return ABSENT;
      current = current[index];
    } else if (current !== null && typeof current === 'object' && Object.hasOwn(current, token)) {
      current = (current as Record<string, unknown>)[token];
    } else {
      return ABSENT;
    }
  }
  return current;
}

/**
 * The operations that put every path `ops` touched back to its value in `snapshot`, written against
 * the object as it is now (`current`), so the rollback is valid whatever the forward patch left behind.
 */
export function restoreOps(ops: JsonPatchOp[], snapshot: unknown, current: unknown): JsonPatchOp[] {
  const paths = [...new Set(ops.map((op) => op.path))];
  const restore: JsonPatchOp[] = [];
  for (const path of paths) {
    const before = valueAt(snapshot, path);
    const now = valueAt(current, path);
    if (before === ABSENT) {
      if (now !== ABSENT) restore.push({ op: 'remove', path });
    } else if (now === ABSENT) {
      restore.push({ op: 'add', path, value: before });
    } else if (!deepEqual(before, now)) {
      restore.push({ op: 'replace', path, value: before });
    }
  }
  return restore;
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const keysA = Object.keys(a);
  const keysB = Object.keys(b);
  if (keysA.length !== keysB.length) return false;
  return keysA.every((key) => deepEqual((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key]));
}
