import { type CustomObject, type ServedCustomKind, servedCustomKind } from './custom-object.ts';
import type { WantedList } from './custom-read-plan.ts';
import type { ServedGroup } from './routing-objects.ts';
import type { ClusterSnapshot } from './snapshot.ts';

/**
 * Objects name the objects they are made from or run under in their spec, the Kubernetes way: a key called after the
 * kind plus `Ref` holding a name (`workflowTemplateRef: {name: nightly}`, `runTemplateRef`, `profileRef`), or a key
 * called the kind's plural holding names (`middlewares: [{name: strip-prefix}]`). When such objects stall (their
 * status says they wait), what they run under — read through discovery by that key, never by a product's name — is
 * where their wait is set: a change to it (a lock added, a concurrency cut, a slot count) acts on every object that
 * references it, with nothing changed in them.
 */

/** One reference an object's spec makes: the key (`workflowTemplateRef`, `middlewares`), the name, a namespace if set. */
export interface SpecReference {
  key: string;
  name: string;
  namespace?: string;
}

/** A key that names a kind by itself plus `Ref` (`runTemplateRef`); plural keys are matched against discovery. */
const REF_KEY = /^([a-z][A-Za-z0-9]*?)Ref$/;
/** `Ref` keys that name no kind of their own: any object, a Secret, a ConfigMap, a Service (read typed elsewhere). */
const GENERIC_REF =
  /^(?:object|secret|secretKey|configMap|configMapKey|service|field|resourceField|source|target|scaleTarget|owner)$/i;

/**
 * Every name an object's spec holds under a key (`key: {name}` or `key: [{name}, …]`), wherever in the spec: whether
 * the key names a kind is the caller's to tell (kindNamedByKey here, by discovery; the detector, by the kind).
 */
export function specReferences(spec: unknown): SpecReference[] {
  const found: SpecReference[] = [];
  const walk = (value: unknown): void => {
    if (Array.isArray(value)) {
      for (const item of value) walk(item);
      return;
    }
    if (!value || typeof value !== 'object') return;
    for (const [key, inner] of Object.entries(value)) {
      for (const target of Array.isArray(inner) ? inner : [inner]) {
        const named = target as { name?: unknown; namespace?: unknown } | null;
        if (named && typeof named === 'object' && typeof named.name === 'string' && named.name)
          found.push({
            key,
            name: named.name,
            ...(typeof named.namespace === 'string' && named.namespace ? { namespace: named.namespace } : {}),
          });
      }
      walk(inner);
    }
  };
  walk(spec);
  return found;
}

/** What status says when an object waits for its turn or a resource rather than running or failing. */
const WAITING_PHASE = /^(?:pending|waiting|queued|blocked|suspended)$/i;
const WAITING_MESSAGE = /\b(?:waiting for|waits for|blocked by|queued behind|lock status)\b/i;

/** The parts of a custom object's status that say whether and what for it waits (their shape is the kind's own). */
const waitStatus = (object: CustomObject) => object.status as { phase?: unknown; message?: unknown } | undefined;

/** Whether an object's status says it waits: a waiting phase, or a message saying what it waits for. */
export function stalled(object: CustomObject): boolean {
  const status = waitStatus(object);
  return (
    (typeof status?.phase === 'string' && WAITING_PHASE.test(status.phase)) ||
    (typeof status?.message === 'string' && WAITING_MESSAGE.test(status.message))
  );
}

/** What a stalled object's status says it waits for, for the thread. */
export function waitMessage(object: CustomObject): string {
  const status = waitStatus(object);
  return [status?.phase, status?.message].filter((part) => typeof part === 'string' && part).join(': ');
}

/** The served custom kind a spec key names (`workflowTemplateRef` → WorkflowTemplate, `middlewares` → Middleware). */
export function kindNamedByKey(groups: readonly ServedGroup[], key: string): ServedCustomKind | undefined {
  const ref = REF_KEY.exec(key)?.[1];
  if (ref && GENERIC_REF.test(ref)) return undefined;
  return servedCustomKind(groups, (r) =>
    ref ? r.kind.toLowerCase() === ref.toLowerCase() : r.plural === key.toLowerCase() && key !== r.kind,
  );
}

/** Kinds that stalled objects reference, listed at most. */
const MAX_REFERENCED_KINDS = 2;

/**
 * Custom objects of the namespace that stall reference, in their spec, objects of a served custom kind: that kind's
 * list, where the stalled objects live (or cluster-wide, for a cluster-scoped kind). Their status states the wait, so
 * they come before the guesses (relevance 3).
 */
export function referencedKindLists(snapshot: ClusterSnapshot, namespace: string): WantedList[] {
  const stuck = snapshot.customObjects.filter((o) => o.metadata?.namespace === namespace && stalled(o));
  const kinds = new Map<string, ServedCustomKind>();
  for (const object of stuck) {
    for (const ref of specReferences(object.spec)) {
      const kind = kindNamedByKey(snapshot.apiGroups, ref.key);
      if (kind && kind.kind !== object.kind) kinds.set(`${kind.group}/${kind.kind}`, kind);
    }
  }
  return [...kinds.values()].slice(0, MAX_REFERENCED_KINDS).map(({ namespaced, ...resource }) => ({
    resource,
    ...(namespaced ? { namespace } : {}),
    why: `${stuck[0]?.kind} objects in ${namespace} wait: the ${resource.kind} they run under`,
    relevance: 3,
  }));
}
