import type { CustomObject } from './custom-object.ts';
import { customOwnerChain, isCustomOwner } from './custom-owners.ts';
import { mayRunOn } from './node-fit.ts';
import {
  allocatable,
  holdsRoom,
  podRequests,
  requestedBy,
  SHORT_OF_RESOURCES,
  UNTOLERATED_TAINT,
} from './node-room.ts';
import { controllerOf } from './owner-references.ts';
import { type SchedulingFailure, schedulingFailures } from './scheduling-failures.ts';
import type { ClusterSnapshot } from './snapshot.ts';
import { KIND_KEYS } from '../tools/kinds.ts';
import { SUSPECT_CHANGE_WINDOW } from './onset.ts';
import { lastChange, snapshotNow, toMs } from './time.ts';

/**
 * Pods the scheduler refuses only for capacity ("4 Insufficient cpu"), on nodes that had room before: the pods that
 * arrived on those nodes since took it. What made them is named by following their controllers (ownerReferences) to
 * the top — a workflow's run to the schedule that starts runs, a generated workload to the operator's resource — and
 * when that object changed shortly before and the newcomers came after the change, the setting that brought them (a
 * schedule, a concurrency policy, a replica count) lives there: the refused workload's requests are its victim.
 */

type Pod = ClusterSnapshot['pods'][number];
type Node = ClusterSnapshot['nodes'][number];
type OwnerReference = { apiVersion: string; kind: string; name: string; controller?: boolean };

/** The list that reads what every node holds: the pods that hold room (finished pods hold none). */
export const HOLDING_ROOM = 'status.phase!=Succeeded,status.phase!=Failed';

/** Links of a controller chain followed at most (a pod → its run → the schedule; → a ReplicaSet → a Deployment). */
const MAX_LINKS = 6;

/** Scheduling failures of the namespace's pods for capacity alone: no taint, no affinity counted among the refusals. */
export function refusedForCapacity(snapshot: ClusterSnapshot, namespace?: string): SchedulingFailure[] {
  return schedulingFailures(snapshot).filter(
    (f) =>
      (namespace === undefined || f.pod.metadata?.namespace === namespace) &&
      SHORT_OF_RESOURCES.test(f.message) &&
      !UNTOLERATED_TAINT.test(f.message),
  );
}

/** Whether the pods bound on every node should be read: pods of the namespace find no node with room. */
export const roomToWeigh = (snapshot: ClusterSnapshot, namespace: string): boolean =>
  snapshot.podsHoldingRoom === undefined && refusedForCapacity(snapshot, namespace).length > 0;

/** Every pod read that holds room on a node: the namespace's and those read cluster-wide, each once. */
function boundPods(snapshot: ClusterSnapshot): Pod[] {
  const seen = new Set<string>();
  const bound: Pod[] = [];
  for (const pod of [...snapshot.pods, ...(snapshot.podsHoldingRoom ?? [])]) {
    const key = pod.metadata?.uid ?? `${pod.metadata?.namespace}/${pod.metadata?.name}`;
    if (seen.has(key) || !pod.spec?.nodeName || !holdsRoom(pod)) continue;
    seen.add(key);
    bound.push(pod);
  }
  return bound;
}

/** The top of a pod's controller chain, as far as it was read: a built-in workload or an operator's resource. */
export interface Top {
  kind: string;
  name: string;
  namespace: string;
  /** The object itself when it was read (its changes are in its managedFields). */
  object?: { metadata?: CustomObject['metadata'] };
  custom: boolean;
}

/**
 * The object at the top of the pod's controllers: the built-in controllers between (ReplicaSet → Deployment, Job →
 * CronJob) and then the custom resources above them, as far as each link was read. Undefined for a pod nobody controls.
 */
export function topOf(snapshot: ClusterSnapshot, pod: Pod): Top | undefined {
  const namespace = pod.metadata?.namespace ?? '';
  const { chain, generated, unread } = customOwnerChain(snapshot, pod);
  if (unread) return { kind: unread.kind, name: unread.name, namespace, custom: true };
  const custom = chain.at(-1);
  if (custom) return { kind: custom.kind, name: custom.metadata?.name ?? '', namespace, object: custom, custom: true };
  let top: Top | undefined;
  const last = generated.at(-1);
  if (last) top = { kind: last.kind, name: last.metadata.name ?? '', namespace, object: last, custom: false };
  else {
    const direct = controllerOf(pod.metadata as { ownerReferences?: OwnerReference[] });
    if (direct && !isCustomOwner(direct)) top = { kind: direct.kind, name: direct.name, namespace, custom: false };
  }
  // A CronJob's Job: the schedule that makes it is the workload (read or not, the Job says what made it).
  if (top?.kind === 'Job') {
    const job = snapshot.jobs.find((j) => j.metadata?.name === top?.name && j.metadata?.namespace === namespace);
    const cron = controllerOf(job?.metadata);
    const read =
      cron && snapshot.cronJobs.find((c) => c.metadata?.name === cron.name && c.metadata?.namespace === namespace);
    if (cron?.kind === 'CronJob')
      top = { kind: 'CronJob', name: cron.name, namespace, ...(read ? { object: read } : {}), custom: false };
  }
  return top;
}

const topKey = (top: Top): string => `${top.kind}/${top.namespace}/${top.name}`;

/** Pods bound on nodes, made this long before the snapshot at most: newcomers whose arrival may have taken room. */
const NEWCOMER = SUSPECT_CHANGE_WINDOW;

const isNewcomer = (pod: Pod, now: number): boolean => (toMs(pod.metadata?.creationTimestamp) ?? 0) >= now - NEWCOMER;

/** Pods that arrived on the nodes shortly before, whatever their namespace: those whose controllers are worth reading. */
export function newcomers(snapshot: ClusterSnapshot): Pod[] {
  const now = snapshotNow(snapshot);
  return (snapshot.podsHoldingRoom ?? []).filter((pod) => isNewcomer(pod, now));
}

/** What one object's newcomers took from the nodes a refused pod may run on. */
export interface RoomTaken {
  top: Top;
  changedAt: string;
  failure: SchedulingFailure;
  resource: string;
  pods: Pod[];
  /** Nodes where, without those newcomers, the refused pod would fit. */
  nodes: string[];
}

/**
 * For each pod refused for capacity, the object whose newcomers took the room: it changed shortly before (its own
 * edit or creation, from its managedFields), its pods arrived after the change on the nodes the refused pod may run
 * on, and without them one of those nodes would hold the refused pod's request — while none holds it now. Known only
 * when every node's pods were read (`podsHoldingRoom`). The refused pod's own workload is not a newcomer to itself.
 */
export function roomTakers(snapshot: ClusterSnapshot): RoomTaken[] {
  if (snapshot.podsHoldingRoom === undefined) return [];
  const now = snapshotNow(snapshot);
  const bound = boundPods(snapshot);
  const found = new Map<string, RoomTaken>();
  for (const failure of refusedForCapacity(snapshot)) {
    const own = topOf(snapshot, failure.pod);
    const wanted = podRequests(failure.pod.spec);
    const nodes = snapshot.nodes.filter((node) => mayRunOn(failure.pod, node));
    for (const [resource, quantity] of Object.entries(wanted)) {
      if (quantity <= 0 || !failure.message.toLowerCase().includes(`insufficient ${resource}`)) continue;
      const free = (node: Node) => freeOn(node, bound, resource);
      if (nodes.length === 0 || nodes.some((node) => free(node) >= quantity)) continue;
      for (const { top, pods } of newcomersByTop(snapshot, bound, nodes, own, now)) {
        const changedAt = lastChange(top.object?.metadata);
        const changed = toMs(changedAt);
        if (!changedAt || changed === undefined || now - changed > SUSPECT_CHANGE_WINDOW) continue;
        const arrived = pods.filter((pod) => (toMs(pod.metadata?.creationTimestamp) ?? 0) >= changed);
        const freed = nodes.filter((node) => {
          const taken = requestedBy(onNode(arrived, node), resource);
          return taken > 0 && free(node) + taken >= quantity;
        });
        if (freed.length === 0) continue;
        const key = topKey(top);
        if (found.has(key)) continue;
        found.set(key, {
          top,
          changedAt,
          failure,
          resource,
          pods: arrived,
          nodes: freed.map((node) => node.metadata?.name ?? ''),
        });
      }
    }
  }
  return [...found.values()];
}

/** The newcomers bound on the nodes, grouped by the object at the top of their controllers; the refused pod's own left out. */
function newcomersByTop(
  snapshot: ClusterSnapshot,
  bound: readonly Pod[],
  nodes: readonly Node[],
  own: Top | undefined,
  now: number,
): { top: Top; pods: Pod[] }[] {
  const byTop = new Map<string, { top: Top; pods: Pod[] }>();
  for (const pod of bound) {
    if (!isNewcomer(pod, now) || !nodes.some((node) => node.metadata?.name === pod.spec?.nodeName)) continue;
    const top = topOf(snapshot, pod);
    if (!top || (own && topKey(own) === topKey(top))) continue;
    const held = byTop.get(topKey(top)) ?? { top, pods: [] };
    held.pods.push(pod);
    byTop.set(topKey(top), held);
  }
  return [...byTop.values()];
}

const onNode = (pods: readonly Pod[], node: Node): Pod[] =>
  pods.filter((pod) => pod.spec?.nodeName === node.metadata?.name);

/** What the node offers of a resource less what the pods bound there request. */
const freeOn = (node: Node, bound: readonly Pod[], resource: string): number =>
  allocatable(node, resource) - requestedBy(onNode(bound, node), resource);

/** Kubernetes' own controllers a newcomer's chain may pass through, each read as a namespace's list. */
const BUILT_IN_LINKS = ['ReplicaSet', 'Deployment', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob'] as const;
type BuiltInLink = (typeof BUILT_IN_LINKS)[number];
const isBuiltInLink = (kind: string): kind is BuiltInLink => (BUILT_IN_LINKS as readonly string[]).includes(kind);

/**
 * The first built-in controller above each pod that was not read (another namespace's ReplicaSet, StatefulSet, Job…),
 * as the kind and namespace of the list to read next: its chain goes on from there, to a Deployment, a CronJob or an
 * operator's resource. A ReplicaSet the pod's `pod-template-hash` names after its Deployment leads to the Deployment.
 */
export function unreadBuiltInControllers(
  snapshot: ClusterSnapshot,
  pods: readonly Pod[],
): { kind: BuiltInLink; namespace: string }[] {
  const wanted = new Map<string, { kind: BuiltInLink; namespace: string }>();
  for (const pod of pods) {
    const namespace = pod.metadata?.namespace ?? '';
    let owner = controllerOf(pod.metadata as { ownerReferences?: OwnerReference[] });
    for (let link = 0; owner && isBuiltInLink(owner.kind) && link < MAX_LINKS; link++) {
      const { kind, name } = owner;
      const list = snapshot[KIND_KEYS[owner.kind]] as { metadata?: CustomObject['metadata'] }[];
      const read = list.find((o) => o.metadata?.name === name && o.metadata?.namespace === namespace);
      if (read) {
        owner = controllerOf(read.metadata as { ownerReferences?: OwnerReference[] });
        continue;
      }
      const hash = pod.metadata?.labels?.['pod-template-hash'];
      if (kind === 'ReplicaSet' && hash && name.endsWith(`-${hash}`)) {
        owner = { apiVersion: 'apps/v1', kind: 'Deployment', name: name.slice(0, -hash.length - 1), controller: true };
        continue;
      }
      wanted.set(`${kind}/${namespace}`, { kind, namespace });
      break;
    }
  }
  return [...wanted.values()];
}
