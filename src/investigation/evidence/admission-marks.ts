import type { PolicyKind } from './admission-policies.ts';
import { builtInGroup, type CustomObject } from './custom-object.ts';
import { GENERIC_GROUP_WORD } from './governing-resources.ts';
import { hasRestarted, isPodReady } from './pod-state.ts';
import type { ServedGroup } from './routing-objects.ts';
import type { ClusterSnapshot } from './snapshot.ts';

type Pod = ClusterSnapshot['pods'][number];

/**
 * A mutating admission rule changes pods as they are created, beyond what their controller's template says (a root
 * filesystem made read-only, capabilities dropped, a limit set), and the software that applies it says so on the pod:
 * an annotation listing the patches it applied (`<domain>/…-patches`, `…/mutated`), or an event about the pod naming
 * the rule (`policy <name>/<rule> applied`). A pod that fails so marked may fail of the mutation, not of its image: the
 * rule's objects are custom resources of the software whose word the mark carries (its annotation's domain, the event's
 * reporting component), found through discovery and named in the mark.
 */
export interface MutationMark {
  pod: Pod;
  /** What the mark says: the annotation's value, the event's message. */
  text: string;
  /** Who left it: the annotation's key, the event's source component. */
  by: string;
  /** When the pod was changed so (its creation, the event's first time). */
  at: string | undefined;
}

/** An annotation key saying that admission patched the pod. */
const PATCH_ANNOTATION = /patch|mutat/i;
/** An event about a pod saying that admission changed it. */
const MUTATION_EVENT = /mutat|patch(?:ed)?\b|policy ?applied/i;

/** Pods that fail: not ready, or restarted. */
const failing = (pod: Pod): boolean => !isPodReady(pod) || hasRestarted(pod);

/** The marks admission left on the failing pods read. */
export function mutationMarks(snapshot: ClusterSnapshot): MutationMark[] {
  const marks: MutationMark[] = [];
  for (const pod of snapshot.pods.filter(failing)) {
    const name = pod.metadata?.name;
    const namespace = pod.metadata?.namespace;
    for (const [key, value] of Object.entries(pod.metadata?.annotations ?? {})) {
      if (PATCH_ANNOTATION.test(key)) marks.push({ pod, text: value, by: key, at: pod.metadata?.creationTimestamp });
    }
    for (const event of snapshot.events) {
      const about = event.involvedObject;
      if (about?.kind !== 'Pod' || about.name !== name || about.namespace !== namespace) continue;
      if (!MUTATION_EVENT.test(`${event.reason ?? ''} ${event.message ?? ''}`)) continue;
      const by = event.source?.component ?? event.reportingComponent ?? '';
      marks.push({ pod, text: event.message ?? '', by, at: event.firstTimestamp ?? event.lastTimestamp ?? undefined });
    }
  }
  return marks;
}

/** Words any annotation key or component name may hold, whatever software left it. */
const COMMON_WORD = /^(?:last|applied|patch\w*|mutat\w*|admission|webhooks?|controller|manager|status|policies)$/;

/** The distinctive words of a name (`policies.acme-guard.io/last-applied-patches` → acme, guard). */
const wordsOf = (name: string): string[] =>
  name
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((word) => word.length >= 4 && !GENERIC_GROUP_WORD.test(word) && !COMMON_WORD.test(word));

/**
 * The served custom kinds whose group shares a distinctive word with who left the marks, at most `max`: those whose
 * name the marks say (`policy …` for a `…Policy`) first, cluster-scoped first among equals (such rules are usually
 * cluster-wide).
 */
export function markingKinds(
  groups: readonly ServedGroup[],
  marks: readonly MutationMark[],
  max: number,
): PolicyKind[] {
  const by = new Set(marks.flatMap((mark) => wordsOf(mark.by)));
  const said = marks.map((mark) => mark.text.toLowerCase()).join(' ');
  return groups
    .filter(
      ({ group }) => !builtInGroup(group) && wordsOf(group.split('.').slice(0, -1).join('.')).some((w) => by.has(w)),
    )
    .flatMap(({ group, resources = [] }) =>
      resources.map((r) => ({ group, version: r.version, plural: r.plural, kind: r.kind, namespaced: r.namespaced })),
    )
    .map((kind) => {
      const last =
        kind.kind
          .split(/(?<=[a-z0-9])(?=[A-Z])/)
          .at(-1)
          ?.toLowerCase() ?? '';
      return { kind, rank: (said.includes(last) ? 2 : 0) + (kind.namespaced ? 0 : 1) };
    })
    .sort((a, b) => b.rank - a.rank)
    .slice(0, max)
    .map(({ kind }) => kind);
}

/** Whether the mark names the object: its name as a token of its own (`<name>/<rule>`, `<rule>.<name>.<domain>`). */
export function markNames(mark: MutationMark, object: CustomObject): boolean {
  const name = object.metadata?.name ?? '';
  if (name.length < 3) return false;
  return mark.text.split(/[^A-Za-z0-9_-]+/).includes(name) || mark.text.split(/[\s/:,"']+/).includes(name);
}
