import { asRecord, builtInGroup, type CustomObject, type ServedCustomKind } from './custom-object.ts';
import type { ServedGroup } from './routing-objects.ts';
import type { ClusterSnapshot } from './snapshot.ts';

type Pod = ClusterSnapshot['pods'][number];

const DEFAULT_SCHEDULER = 'default-scheduler';

/**
 * A pod another scheduler holds back: Pending, placed on no node, and either handed to a scheduler other than the
 * default one (a batch scheduler that admits pods by queue and gang) or held by scheduling gates (an admission
 * controller releases them) — with no verdict of the default scheduler (no "0/N nodes are available"). Such a
 * scheduler does not mark the pods unschedulable, so a node autoscaler sees nothing to do: what holds them is the
 * object the scheduler admits them by, which the pods name.
 */
export function heldBySchedulerAdmission(pod: Pod): boolean {
  if (pod.status?.phase !== 'Pending' || pod.spec?.nodeName) return false;
  const scheduler = pod.spec?.schedulerName ?? DEFAULT_SCHEDULER;
  const gated = (pod.spec?.schedulingGates ?? []).length > 0;
  if (scheduler === DEFAULT_SCHEDULER && !gated) return false;
  const verdict = (pod.status?.conditions ?? []).some(
    (c) => c.type === 'PodScheduled' && c.status === 'False' && /\bnodes are available\b/.test(c.message ?? ''),
  );
  return !verdict;
}

/** A reference a pod carries to the object it is admitted by: `<prefix>/<word>-name: <object name>`. */
export interface AdmissionReference {
  /** The annotation or label key's prefix (`scheduling.example.io`): the API group it speaks for, or near it. */
  prefix: string;
  /** What the key says it names (`queue`, `group`), lower case. */
  word: string;
  name: string;
}

// `scheduling.example.io/queue-name`, `example.dev/group-name`: by convention a key ending in `-name` names an object.
const REFERENCE_KEY = /^([a-z0-9.-]+)\/([a-z0-9]+(?:-[a-z0-9]+)*)-name$/;

/** The references a pod's labels and annotations carry to objects by name. */
export function admissionReferences(pod: Pod): AdmissionReference[] {
  const entries = Object.entries({ ...(pod.metadata?.labels ?? {}), ...(pod.metadata?.annotations ?? {}) });
  return entries.flatMap(([key, value]) => {
    const match = REFERENCE_KEY.exec(key);
    if (!match || !value) return [];
    return [{ prefix: match[1] as string, word: (match[2] as string).replace(/-/g, ''), name: value }];
  });
}

const servedKinds = (groups: readonly ServedGroup[]): ServedCustomKind[] =>
  groups
    .filter(({ group }) => !builtInGroup(group))
    .flatMap(({ group, resources = [] }) =>
      resources.map((r) => ({ group, version: r.version, plural: r.plural, kind: r.kind, namespaced: r.namespaced })),
    );

/**
 * The served custom kinds a reference word can mean (`queue` → `Queue`; `group` → `PodGroup`): those whose kind ends
 * with the word, of the best rank only — the key's own group, then the word as the whole kind. Ties are all kept (a
 * `queue` may be a namespace's `LocalQueue` or a `ClusterQueue` of the same group; only their names tell).
 */
function kindsFor(word: string, prefix: string, kinds: ServedCustomKind[]): ServedCustomKind[] {
  const rank = (k: ServedCustomKind) => (k.group === prefix ? 2 : 0) + (k.kind.toLowerCase() === word ? 1 : 0);
  const matching = kinds.filter((k) => k.kind.toLowerCase().endsWith(word));
  const best = Math.max(...matching.map(rank));
  return matching.filter((k) => rank(k) === best);
}

/** The custom kinds the held pods name the objects of, at most `max` (those named by the most pods first). */
export function namedAdmissionKinds(pods: Pod[], groups: readonly ServedGroup[], max: number): ServedCustomKind[] {
  const kinds = servedKinds(groups);
  const counted = new Map<string, { kind: ServedCustomKind; pods: number }>();
  for (const pod of pods)
    for (const ref of admissionReferences(pod))
      for (const kind of kindsFor(ref.word, ref.prefix, kinds)) {
        const key = `${kind.group}/${kind.kind}`;
        counted.set(key, { kind, pods: (counted.get(key)?.pods ?? 0) + 1 });
      }
  return [...counted.values()]
    .sort((a, b) => b.pods - a.pods)
    .slice(0, max)
    .map(({ kind }) => kind);
}

/**
 * The custom kinds the specs of objects read name by a field of the kind's own name (a gang's `spec.queue` → `Queue`,
 * a local queue's `spec.clusterQueue` → `ClusterQueue`): the next link from a per-pod object to the shared one that
 * admits it, unless read already.
 */
export function kindsNamedInSpecs(
  objects: readonly CustomObject[],
  groups: readonly ServedGroup[],
  read: ReadonlySet<string>,
): ServedCustomKind[] {
  const kinds = servedKinds(groups);
  const found = new Map<string, ServedCustomKind>();
  for (const object of objects)
    for (const [field, value] of Object.entries(asRecord(object.spec))) {
      if (typeof value !== 'string') continue;
      const kind = kinds.find((k) => k.kind.toLowerCase() === field.toLowerCase());
      if (kind && !read.has(`${kind.group}/${kind.kind}`)) found.set(`${kind.group}/${kind.kind}`, kind);
    }
  return [...found.values()];
}

/**
 * The objects read that admit a pod: those its references name (in its namespace, or cluster-scoped), and those their
 * specs name in turn by a field of the kind's name.
 */
export function admittingObjects(pod: Pod, objects: readonly CustomObject[]): CustomObject[] {
  const namespace = pod.metadata?.namespace;
  const byName = (kind: (k: string) => boolean, name: string) =>
    objects.filter(
      (o) =>
        kind(o.kind) && o.metadata?.name === name && (!o.metadata?.namespace || o.metadata.namespace === namespace),
    );
  const direct = admissionReferences(pod).flatMap((ref) =>
    byName((kind) => kind.toLowerCase().endsWith(ref.word), ref.name),
  );
  const next = direct.flatMap((object) =>
    Object.entries(asRecord(object.spec)).flatMap(([field, value]) =>
      typeof value === 'string' ? byName((kind) => kind.toLowerCase() === field.toLowerCase(), value) : [],
    ),
  );
  return [...new Set([...direct, ...next])];
}
