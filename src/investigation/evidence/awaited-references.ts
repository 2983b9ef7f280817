import { literal } from './config-mentions.ts';
import type { CustomObject } from './custom-object.ts';
import type { WantedList } from './custom-read-plan.ts';
import type { ClusterSnapshot } from './snapshot.ts';

/**
 * An object references another by a typed reference in its spec (`nodeClassRef: {group, kind, name}`, any
 * `…Ref` holding a kind and a name), and its controller reports it not ready for that reason: a condition False whose
 * type is the reference's (`NodeClassReady` for `nodeClassRef`) or whose message names the referenced kind or object.
 * The referenced object is then where the fault lives when its own conditions say it is not ready and why (a selector
 * matching nothing, a key no longer valid): the referencing object only waits for it, as everything it makes does.
 */

/** A typed reference of a spec: the key it is held under, the kind and name it points at. */
export interface TypedReference {
  key: string;
  kind: string;
  group?: string;
  name: string;
  namespace?: string;
}

export interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
}

/** A key that holds a reference (`nodeClassRef`, `sourceRef`, `targetRefs`). */
const REF_KEY = /Refs?$/;

/** Every typed reference a spec holds, wherever in it: a `…Ref` key whose value names a kind and a name. */
export function typedReferences(spec: unknown): TypedReference[] {
  const found: TypedReference[] = [];
  const walk = (value: unknown, depth: number): void => {
    if (depth > 8 || !value || typeof value !== 'object') return;
    if (Array.isArray(value)) {
      for (const item of value) walk(item, depth + 1);
      return;
    }
    for (const [key, inner] of Object.entries(value)) {
      if (REF_KEY.test(key))
        for (const target of Array.isArray(inner) ? inner : [inner]) {
          const ref = target as {
            kind?: unknown;
            name?: unknown;
            group?: unknown;
            apiVersion?: unknown;
            namespace?: unknown;
          };
          if (!ref || typeof ref.kind !== 'string' || typeof ref.name !== 'string' || !ref.kind || !ref.name) continue;
          const group =
            typeof ref.group === 'string'
              ? ref.group
              : typeof ref.apiVersion === 'string' && ref.apiVersion.includes('/')
                ? ref.apiVersion.split('/')[0]
                : undefined;
          found.push({
            key,
            kind: ref.kind,
            name: ref.name,
            ...(group ? { group } : {}),
            ...(typeof ref.namespace === 'string' && ref.namespace ? { namespace: ref.namespace } : {}),
          });
        }
      walk(inner, depth + 1);
    }
  };
  walk(spec, 0);
  return found;
}

/** Condition types that say an object is fit for use when True. */
const READINESS = /(?:Ready|Available|Healthy|Valid)$/;

/** The conditions of an object's status that say it is not fit for use (a readiness of some part, False). */
export function unreadyConditions(object: CustomObject): Condition[] {
  const conditions = (object.status as { conditions?: unknown } | undefined)?.conditions;
  if (!Array.isArray(conditions)) return [];
  return (conditions as Condition[]).filter(
    (c) => c && typeof c.type === 'string' && c.status === 'False' && READINESS.test(c.type),
  );
}

/** `nodeClassRef` → `nodeclass`: what a condition about that reference is called before `Ready`. */
const stemOf = (key: string): string => key.replace(REF_KEY, '').toLowerCase();

/**
 * The condition by which the object says it waits for what `ref` points at: False, and of the reference's own type
 * (`NodeClassReady` for `nodeClassRef`) or naming the referenced kind or object in its message.
 */
export function awaitingCondition(object: CustomObject, ref: TypedReference): Condition | undefined {
  return unreadyConditions(object).find((c) => {
    const type = c.type.replace(READINESS, '').toLowerCase();
    if (type && type === stemOf(ref.key)) return true;
    const message = c.message ?? '';
    return message.includes(ref.kind) || new RegExp(`["'\\s]${literal(ref.name)}["'\\s]`).test(` ${message} `);
  });
}

/** A read object a reference points at: its kind (and group, when given) and name, where it lives. */
export function referencedObject(
  snapshot: ClusterSnapshot,
  from: CustomObject,
  ref: TypedReference,
): CustomObject | undefined {
  const namespace = ref.namespace ?? from.metadata?.namespace;
  return snapshot.customObjects.find(
    (o) =>
      o.kind === ref.kind &&
      o.metadata?.name === ref.name &&
      (!ref.group || o.apiVersion.split('/')[0] === ref.group) &&
      (!o.metadata?.namespace || o.metadata.namespace === namespace),
  );
}

/** Kinds of awaited objects listed, at most. */
const MAX_AWAITED_KINDS = 2;

/**
 * Objects read wait, by a condition of theirs, for an object they reference that was not read: its kind, through
 * discovery, where it lives (cluster-wide for a cluster-scoped kind). Their condition states the wait: read first.
 */
export function awaitedReferenceLists(snapshot: ClusterSnapshot): WantedList[] {
  const wanted = new Map<string, WantedList>();
  for (const object of snapshot.customObjects) {
    for (const ref of typedReferences(object.spec)) {
      if (referencedObject(snapshot, object, ref) || !awaitingCondition(object, ref)) continue;
      const served = snapshot.apiGroups
        .filter(({ group }) => !ref.group || group === ref.group)
        .flatMap(({ group, resources = [] }) => resources.map((r) => ({ group, ...r })))
        .find((r) => r.kind === ref.kind);
      if (!served) continue;
      const namespace = served.namespaced ? (ref.namespace ?? object.metadata?.namespace) : undefined;
      if (served.namespaced && !namespace) continue;
      const key = `${served.group}/${served.kind}@${namespace ?? '*'}`;
      if (wanted.has(key)) continue;
      wanted.set(key, {
        resource: { group: served.group, version: served.version, plural: served.plural, kind: served.kind },
        ...(namespace ? { namespace } : {}),
        why: `${object.kind} ${object.metadata?.name} is not ready for the ${ref.kind} it references (${ref.key}): whether that one is`,
        relevance: 4,
      });
    }
  }
  return [...wanted.values()].slice(0, MAX_AWAITED_KINDS);
}
