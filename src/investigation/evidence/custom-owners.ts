import type { EntityRef } from '../model.ts';
import { refKey } from '../model.ts';
import { builtInGroup, type CustomObject } from './custom-object.ts';
import { controllerOf } from './owner-references.ts';
import { isPodReady } from './pod-state.ts';
import type { ClusterSnapshot } from './snapshot.ts';
import { HOUR, snapshotNow, toMs } from './time.ts';

type OwnerReference = { apiVersion: string; kind: string; name: string; controller?: boolean };

export interface CustomKind {
  group: string;
  version: string;
  plural: string;
  kind: string;
}

/** The API group of an apiVersion (`agones.dev/v1` → `agones.dev`; `v1` → the core group, ``). */
const groupOf = (apiVersion: string): string => (apiVersion.includes('/') ? (apiVersion.split('/')[0] as string) : '');

/**
 * A controller served by an API group outside Kubernetes' own (`apps/v1`, `v1` and `*.k8s.io` are built in): a custom
 * resource an operator reconciles from.
 */
export const isCustomOwner = (owner: OwnerReference): boolean => {
  return !builtInGroup(groupOf(owner.apiVersion));
};

/** Kubernetes' own controllers an operator may generate between its resource and the pods, and where they are read. */
const BUILT_IN_CONTROLLERS = {
  ReplicaSet: 'replicaSets',
  Deployment: 'deployments',
  StatefulSet: 'statefulSets',
  DaemonSet: 'daemonSets',
  Job: 'jobs',
} as const satisfies Record<string, keyof ClusterSnapshot>;

/** A workload Kubernetes' own controllers run, generated between an operator's resource and the pods. */
export interface GeneratedWorkload {
  kind: string;
  metadata: { name?: string; namespace?: string };
}

/**
 * The first custom resource that controls a pod, through the built-in controllers between them (an operator's
 * resource → its generated StatefulSet → the pods; → a Deployment → a ReplicaSet → the pods), with those controllers,
 * nearest first. Only read objects are walked through.
 */
export function customControllerOf(
  snapshot: ClusterSnapshot,
  pod: { metadata?: { namespace?: string; ownerReferences?: OwnerReference[]; labels?: Record<string, string> } },
): { owner?: OwnerReference; generated: GeneratedWorkload[] } {
  const namespace = pod.metadata?.namespace;
  const generated: GeneratedWorkload[] = [];
  let owner = controllerOf(pod.metadata);
  const find = (kind: string, name: string) => {
    const list = BUILT_IN_CONTROLLERS[kind as keyof typeof BUILT_IN_CONTROLLERS];
    return list
      ? (
          snapshot[list] as { metadata?: GeneratedWorkload['metadata'] & { ownerReferences?: OwnerReference[] } }[]
        ).find((w) => w.metadata?.name === name && w.metadata?.namespace === namespace)
      : undefined;
  };
  while (owner && !isCustomOwner(owner) && generated.length < 3) {
    const workload = find(owner.kind, owner.name) ?? deploymentOfUnreadReplicaSet(pod, owner, find);
    if (!workload) return { generated };
    generated.push({ kind: owner.kind, metadata: workload.metadata ?? {} });
    owner = controllerOf(workload.metadata);
  }
  return owner && isCustomOwner(owner) ? { owner, generated } : { generated };
}

/** Custom resources above a pod followed at most (an operator's resource → the one that made it → …). */
const MAX_CUSTOM_LINKS = 6;

/**
 * The custom resources above a pod, nearest first, as far as they were read, and the built-in workloads the operator
 * generated between them and the pod; `unread`, the custom resource above the last read that was not read itself.
 */
export function customOwnerChain(
  snapshot: ClusterSnapshot,
  pod: ClusterSnapshot['pods'][number],
): { chain: CustomObject[]; generated: GeneratedWorkload[]; unread?: OwnerReference } {
  const namespace = pod.metadata?.namespace;
  const chain: CustomObject[] = [];
  const { owner: first, generated } = customControllerOf(snapshot, pod as Parameters<typeof customControllerOf>[1]);
  let owner: OwnerReference | undefined = first;
  while (owner && isCustomOwner(owner) && chain.length < MAX_CUSTOM_LINKS) {
    const { kind, name } = owner;
    const object = snapshot.customObjects.find(
      (o) => o.kind === kind && o.metadata?.name === name && o.metadata?.namespace === namespace,
    );
    if (!object) return { chain, generated, unread: owner };
    chain.push(object);
    owner = controllerOf(object.metadata);
  }
  return { chain, generated };
}

/**
 * A Deployment names each ReplicaSet it makes `<deployment>-<pod-template-hash>`, and stamps the hash on the pods: when
 * the ReplicaSets of a namespace were not read (another namespace's, read only for its Deployments), the pod's hash
 * label leads from its ReplicaSet's name to the Deployment.
 */
function deploymentOfUnreadReplicaSet<T>(
  pod: { metadata?: { labels?: Record<string, string> } },
  owner: OwnerReference,
  find: (kind: string, name: string) => T | undefined,
): T | undefined {
  const hash = pod.metadata?.labels?.['pod-template-hash'];
  if (owner.kind !== 'ReplicaSet' || !hash || !owner.name.endsWith(`-${hash}`)) return undefined;
  return find('Deployment', owner.name.slice(0, -hash.length - 1));
}

/** Where a kind is read: the plural and version discovery found, else the group's convention (lower-case kind + s). */
export function customKind(snapshot: ClusterSnapshot, owner: OwnerReference): CustomKind {
  const group = groupOf(owner.apiVersion);
  const version = owner.apiVersion.split('/')[1] ?? '';
  const served = snapshot.apiGroups
    .filter((g) => g.group === group)
    .flatMap((g) => g.resources ?? [])
    .find((r) => r.kind === owner.kind);
  return served
    ? { group, version: served.version, plural: served.plural, kind: owner.kind }
    : { group, version, plural: `${owner.kind.toLowerCase()}s`, kind: owner.kind };
}

/** A custom kind to read, and the namespace to read it in. */
export interface CustomOwnerRead extends CustomKind {
  namespace: string;
}

/** Pods created this long before the snapshot are a recent replacement: what made them is a recent change. */
export const RECENTLY_CREATED = 2 * HOUR;

/**
 * Pods whose owner chain matters: those that do not run (Pending, not ready), and those created shortly before the
 * snapshot — an operator replaces the pods it generates when the resource it reconciles from changes.
 */
function podsToTrace(snapshot: ClusterSnapshot, namespace: string): ClusterSnapshot['pods'] {
  const since = snapshotNow(snapshot) - RECENTLY_CREATED;
  return snapshot.pods.filter(
    (pod) =>
      pod.metadata?.namespace === namespace &&
      pod.status?.phase !== 'Succeeded' &&
      (!isPodReady(pod) || (toMs(pod.metadata?.creationTimestamp) ?? 0) >= since),
  );
}

/**
 * The custom resources up the chain that owns the pods of these namespaces that do not run or were just created — a
 * Fleet owns GameServerSets, which own GameServers, which own the pods — whose kind is not read yet there: the next
 * link of each chain whose objects were read so far. An operator creates what it reconciles from the top resource's
 * spec, so what the pods ask for (and how many there are, and how they are set) is set there; the links are read one
 * kind at a time, as far as they go. `alsoTraced`: pods the caller has another reason to trace (running, not new).
 */
export function unreadCustomOwners(
  snapshot: ClusterSnapshot,
  namespaces: readonly string[],
  tried: Set<string>,
  alsoTraced: readonly ClusterSnapshot['pods'][number][] = [],
): CustomOwnerRead[] {
  const kinds = new Map<string, CustomOwnerRead>();
  for (const namespace of namespaces) {
    const byRef = new Map(
      snapshot.customObjects
        .filter((o) => o.metadata?.namespace === namespace)
        .map((o) => [refKey({ kind: o.kind, namespace, name: o.metadata?.name ?? '' }), o]),
    );
    const seen = new Set<string>();
    const follow = (owner: OwnerReference | undefined): void => {
      if (!owner || !isCustomOwner(owner)) return;
      const ref: EntityRef = { kind: owner.kind, namespace, name: owner.name };
      if (seen.has(refKey(ref))) return;
      seen.add(refKey(ref));
      const object = byRef.get(refKey(ref));
      if (object) {
        follow(controllerOf(object.metadata as { ownerReferences?: OwnerReference[] }));
        return;
      }
      const kind = customKind(snapshot, owner);
      const key = `${namespace}/${kind.group}/${kind.kind}`;
      if (!tried.has(key)) kinds.set(key, { ...kind, namespace });
    };
    const traced = [
      ...podsToTrace(snapshot, namespace),
      ...alsoTraced.filter((p) => p.metadata?.namespace === namespace),
    ];
    for (const pod of traced)
      follow(customControllerOf(snapshot, pod as { metadata?: { ownerReferences?: OwnerReference[] } }).owner);
  }
  return [...kinds.values()];
}

/** The key a read of a custom owner kind is remembered by. */
export const ownerReadKey = (read: CustomOwnerRead): string => `${read.namespace}/${read.group}/${read.kind}`;
