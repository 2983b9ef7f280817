import type { PolicyKind } from './admission-policies.ts';
import { builtInGroup, type CustomObject } from './custom-object.ts';
import { GENERIC_GROUP_WORD } from './governing-resources.ts';
import { containerStates, hasRestarted, isPodReady } from './pod-state.ts';
import type { ServedGroup } from './routing-objects.ts';
import type { ClusterSnapshot } from './snapshot.ts';
import { wordsOf } from './word-stem.ts';

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
  /** The image of a container added at admission that fails (no container of the template runs it). */
  image?: string;
  /** The policy kind the annotation names (`kindNamedByKey`): the mark's value is an object of it. */
  kind?: string;
}

/** An annotation key saying that admission patched the pod. */
const PATCH_ANNOTATION = /patch|mutat/i;
/** An event about a pod saying that admission changed it. */
const MUTATION_EVENT = /mutat|patch(?:ed)?\b|policy ?applied/i;

/** Pods that fail: not ready, or restarted. */
const failing = (pod: Pod): boolean => !isPodReady(pod) || hasRestarted(pod);

/** The served custom kinds, for annotations that name one (`kindNamedByKey`). */
const servedKinds = (snapshot: ClusterSnapshot): string[] =>
  snapshot.apiGroups
    .filter(({ group }) => !builtInGroup(group))
    .flatMap(({ resources = [] }) => resources.map((r) => r.kind));

/** A single object name as an annotation's whole value (`restricted-ro`), not a list or a sentence. */
const OBJECT_NAME = /^[a-z0-9](?:[a-z0-9.-]{0,251}[a-z0-9])?$/;

/**
 * Whether an annotation key names a kind: its last segment is the kind's name or the initials of its words
 * (`…/podsecuritypolicy` or `…/psp` for PodSecurityPolicy). Admission that picks one object of a policy kind for a pod
 * among several that could apply records its choice so, the object's name as the value: the policy the pod was made
 * under, whose settings (a read-only root filesystem, a user, dropped capabilities) it runs with beyond its template.
 */
function kindNamedByKey(key: string, kind: string): boolean {
  const last = key.split('/').at(-1)?.toLowerCase() ?? '';
  const words = kind.split(/(?<=[a-z0-9])(?=[A-Z])/);
  const initials = words.map((word) => word[0]?.toLowerCase() ?? '').join('');
  // An annotation key spells a kind's words lower-case, joined or apart (`…/pod-class` for PodClass).
  const joined = last.replace(/[-_.]/g, '');
  return joined === kind.toLowerCase() || (words.length >= 2 && last === initials);
}

/** The marks admission left on the failing pods read. */
export function mutationMarks(snapshot: ClusterSnapshot): MutationMark[] {
  const marks: MutationMark[] = [];
  const kinds = servedKinds(snapshot);
  for (const pod of snapshot.pods.filter(failing)) {
    const name = pod.metadata?.name;
    const namespace = pod.metadata?.namespace;
    for (const [key, value] of Object.entries(pod.metadata?.annotations ?? {})) {
      const named = OBJECT_NAME.test(value) ? kinds.find((kind) => kindNamedByKey(key, kind)) : undefined;
      if (named) marks.push({ pod, text: value, by: key, at: pod.metadata?.creationTimestamp, kind: named });
      else if (PATCH_ANNOTATION.test(key))
        marks.push({ pod, text: value, by: key, at: pod.metadata?.creationTimestamp });
    }
    for (const event of snapshot.events) {
      const about = event.involvedObject;
      if (about?.kind !== 'Pod' || about.name !== name || about.namespace !== namespace) continue;
      if (!MUTATION_EVENT.test(`${event.reason ?? ''} ${event.message ?? ''}`)) continue;
      const by = event.source?.component ?? event.reportingComponent ?? '';
      marks.push({ pod, text: event.message ?? '', by, at: event.firstTimestamp ?? event.lastTimestamp ?? undefined });
    }
    marks.push(...injectedMarks(snapshot, pod));
  }
  return marks;
}

/** The built-in controllers whose template a pod is made from, and where they are read. */
const TEMPLATE_OWNERS = {
  ReplicaSet: 'replicaSets',
  StatefulSet: 'statefulSets',
  DaemonSet: 'daemonSets',
  Job: 'jobs',
} as const satisfies Record<string, keyof ClusterSnapshot>;

type Container = { name: string; image?: string };

/** The containers (init containers too) of the template the pod's controller made it from, if that was read. */
function templateContainers(snapshot: ClusterSnapshot, pod: Pod): Container[] | undefined {
  const owner = pod.metadata?.ownerReferences?.find((o) => o.controller);
  const list = owner && TEMPLATE_OWNERS[owner.kind as keyof typeof TEMPLATE_OWNERS];
  if (!owner || !list) return undefined;
  const controller = (
    snapshot[list] as {
      metadata?: { name?: string; namespace?: string };
      spec?: { template?: { spec?: { containers?: Container[]; initContainers?: Container[] } } };
    }[]
  ).find((c) => c.metadata?.name === owner.name && c.metadata?.namespace === pod.metadata?.namespace);
  const spec = controller?.spec?.template?.spec;
  return spec ? [...(spec.initContainers ?? []), ...(spec.containers ?? [])] : undefined;
}

/** A container waiting for a reason of its own, not merely behind the pod's init containers or its creation. */
const CANNOT_START = /^(?!PodInitializing$|ContainerCreating$)\w+$/;
/** Annotation keys of Kubernetes' own domains. */
const K8S_KEY = /(?:^|\.)(?:kubernetes|k8s)\.io\//;

/**
 * A container of the pod that cannot start (waiting for a reason of its own) and that its controller's template holds
 * by neither name nor image: admission added it (an operator's webhook injecting an agent, a sidecar), with the image
 * that webhook's configuration names. Who asked for it: the pod's annotations (`<domain>/inject-…`), the container's
 * own name.
 */
function injectedMarks(snapshot: ClusterSnapshot, pod: Pod): MutationMark[] {
  const template = templateContainers(snapshot, pod);
  if (!template) return [];
  // Kubernetes' own annotations (`kubectl.kubernetes.io/restartedAt`) say nothing of who injects.
  const keys = Object.keys(pod.metadata?.annotations ?? {}).filter((key) => key.includes('/') && !K8S_KEY.test(key));
  return containerStates(pod)
    .filter(({ status }) => CANNOT_START.test(status.state?.waiting?.reason ?? ''))
    .filter(({ status }) => !template.some((c) => c.name === status.name || c.image === status.image))
    .map(({ status, init }) => ({
      pod,
      text: `${init ? 'init container' : 'container'} ${status.name} (image ${status.image ?? ''}) added at admission: ${status.state?.waiting?.reason ?? ''}`,
      by: [status.name, ...keys].join(' '),
      at: pod.metadata?.creationTimestamp,
      ...(status.image ? { image: status.image } : {}),
    }));
}

/** Words any annotation key or component name may hold, whatever software left it. */
const COMMON_WORD = /^(?:last|applied|patch\w*|mutat\w*|admission|webhooks?|controller|manager|status|policies)$/;

/** The distinctive words of a name (`policies.acme-guard.io/last-applied-patches` → acme, guard). */
const distinctiveWords = (name: string): string[] =>
  wordsOf(name).filter((word) => word.length >= 4 && !GENERIC_GROUP_WORD.test(word) && !COMMON_WORD.test(word));

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
  const by = new Set(marks.flatMap((mark) => (mark.kind ? [] : distinctiveWords(mark.by))));
  const said = marks.map((mark) => mark.text.toLowerCase()).join(' ');
  const named = new Set(marks.flatMap((mark) => mark.kind ?? []));
  // A kind an annotation names is listed alone; a group sharing a word with who patched the pods, all its kinds.
  const sharesWord = (group: string) =>
    distinctiveWords(group.split('.').slice(0, -1).join('.')).some((w) => by.has(w));
  return groups
    .filter(({ group }) => !builtInGroup(group))
    .flatMap(({ group, resources = [] }) =>
      resources
        .filter((r) => named.has(r.kind) || sharesWord(group))
        .map((r) => ({ group, version: r.version, plural: r.plural, kind: r.kind, namespaced: r.namespaced })),
    )
    .map((kind) => {
      if (marks.some((mark) => mark.kind === kind.kind)) return { kind, rank: 4 };
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
