import { type CustomObject, servedCustomKinds } from './custom-object.ts';
import type { WantedList } from './custom-read-plan.ts';
import { controllerOf } from './owner-references.ts';
import type { ClusterSnapshot } from './snapshot.ts';

/**
 * A pod that asks for a node label no node carries stays Pending, and its author may never have asked for it: software
 * that admits workloads (a batch queue, a placement policy) writes the node labels of the capacity it assigned into
 * the pod template as it lets the workload run. The label's value then lives in that software's custom resource (a
 * flavour of capacity, a placement rule), as a plain `key: value` entry of its spec, and an edit there strands every
 * workload it admits. Which software: the one whose API group marks the pods or their owner (`<group>/queue-name`).
 */

type Pod = ClusterSnapshot['pods'][number];
type Node = ClusterSnapshot['nodes'][number];

/** One `key=value` node label a pod requires. */
export interface LabelPair {
  key: string;
  value: string;
}

/** The `key=value` node labels a pod's nodeSelector (or a single-valued `In` of its required affinity) asks for. */
export function requiredPairs(pod: Pod): LabelPair[] {
  const pairs = Object.entries(pod.spec?.nodeSelector ?? {}).map(([key, value]) => ({ key, value }));
  const terms = pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms;
  // With several terms any one suffices: only a single term's requirements are all required.
  if (terms?.length === 1)
    for (const requirement of terms[0]?.matchExpressions ?? [])
      if (requirement.operator === 'In' && requirement.values?.length === 1)
        pairs.push({ key: requirement.key, value: requirement.values[0] as string });
  return pairs;
}

/** Whether the pod waits to be scheduled: Pending, on no node. */
export const unscheduled = (pod: Pod): boolean => pod.status?.phase === 'Pending' && !pod.spec?.nodeName;

/**
 * The node labels an unscheduled pod requires that no node read carries with that value. None when no node was read:
 * nothing then says the label is missing.
 */
export function unmatchedPairs(pod: Pod, nodes: readonly Node[]): LabelPair[] {
  if (!unscheduled(pod) || nodes.length === 0) return [];
  return requiredPairs(pod).filter(({ key, value }) => !nodes.some((node) => node.metadata?.labels?.[key] === value));
}

/** Unscheduled pods of the namespace that require a node label no node carries, with those labels. */
export function strandedPods(snapshot: ClusterSnapshot, namespace?: string): { pod: Pod; pairs: LabelPair[] }[] {
  return snapshot.pods
    .filter((pod) => namespace === undefined || pod.metadata?.namespace === namespace)
    .map((pod) => ({ pod, pairs: unmatchedPairs(pod, snapshot.nodes) }))
    .filter(({ pairs }) => pairs.length > 0);
}

/**
 * Where in a custom object's spec it sets a node label as a plain entry (`nodeLabels: {key: value}`, a selector's
 * `matchLabels`): the path of the first entry equal to one of `pairs`, walking the spec generically.
 */
export function pairSetIn(
  object: CustomObject,
  pairs: readonly LabelPair[],
): { pair: LabelPair; path: string } | undefined {
  const walk = (value: unknown, path: string): { pair: LabelPair; path: string } | undefined => {
    if (Array.isArray(value)) {
      for (const [index, item] of value.entries()) {
        const found = walk(item, `${path}[${index}]`);
        if (found) return found;
      }
      return undefined;
    }
    if (!value || typeof value !== 'object') return undefined;
    for (const [key, inner] of Object.entries(value)) {
      const pair = pairs.find((p) => p.key === key && p.value === inner);
      if (pair) return { pair, path: `${path}.${key}` };
      const found = walk(inner, `${path}.${key}`);
      if (found) return found;
    }
    return undefined;
  };
  return walk(object.spec, 'spec');
}

/** The domains of a label or annotation key (`kueue.example.io/queue-name` → `kueue.example.io`). */
const domainOf = (key: string): string | undefined => (key.includes('/') ? key.split('/')[0] : undefined);

/** The owner a pod's controller reference names, when it is a Job or a workload read (whose labels mark it too). */
function ownerLabels(snapshot: ClusterSnapshot, pod: Pod): Record<string, string> {
  const owner = controllerOf(pod.metadata);
  if (!owner) return {};
  const namespace = pod.metadata?.namespace;
  const lists = [snapshot.jobs, snapshot.replicaSets, snapshot.statefulSets, snapshot.deployments] as {
    kind?: string;
    metadata?: { name?: string; namespace?: string; labels?: Record<string, string> };
  }[][];
  for (const list of lists) {
    const found = list.find((o) => o.metadata?.name === owner.name && o.metadata?.namespace === namespace);
    if (found) return found.metadata?.labels ?? {};
  }
  return {};
}

/** Kinds of the admitting software's group listed, at most. */
const MAX_SOURCE_KINDS = 2;

/**
 * Pods of the namespace wait for a node label no node carries, and they or their owner carry labels or annotations of
 * an extension group the cluster serves: that group's kinds, cluster-scoped first (capacity and placement rules are
 * usually cluster-wide), where the node label they were given may be set.
 */
export function nodeLabelSourceLists(snapshot: ClusterSnapshot, namespace: string): WantedList[] {
  const stranded = strandedPods(snapshot, namespace);
  if (stranded.length === 0) return [];
  const domains = new Set(
    stranded.flatMap(({ pod }) =>
      [
        ...Object.keys(pod.metadata?.labels ?? {}),
        ...Object.keys(pod.metadata?.annotations ?? {}),
        ...Object.keys(ownerLabels(snapshot, pod)),
      ].flatMap((key) => domainOf(key) ?? []),
    ),
  );
  const label = stranded[0]?.pairs[0];
  return servedCustomKinds(snapshot.apiGroups, (_, group) => domains.has(group))
    .sort((a, b) => Number(a.namespaced) - Number(b.namespaced))
    .slice(0, MAX_SOURCE_KINDS)
    .map(({ group, version, plural, kind, namespaced }) => ({
      resource: { group, version, plural, kind },
      ...(namespaced ? { namespace } : {}),
      why: `pods in ${namespace} wait for node label ${label?.key}=${label?.value}, which no node carries, and are marked by ${group}: whether a ${kind} set it`,
      relevance: 3,
    }));
}
