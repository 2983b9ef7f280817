import { asRecord, type CustomObject, servedCustomKinds } from './custom-object.ts';
import type { WantedList } from './custom-read-plan.ts';
import { SHORT_OF_RESOURCES } from './node-room.ts';
import { type LabelPair, pairSetIn, requiredPairs, unscheduled } from './node-label-sources.ts';
import type { ClusterSnapshot } from './snapshot.ts';

/**
 * Pods that may run only on the nodes of one group (they require a node label its nodes carry) wait for room there:
 * the group was meant to hold them, and it is short of nodes. Nodes made by a cluster's own machinery (a machine
 * controller, a node provisioner) carry that machinery's annotations or labels (`<group>/…`), and the object that
 * makes the group — a kind whose name says it makes many alike (`…Deployment`, `…Set`, `…Pool`, `…Group`) — stamps
 * the node label from its spec's template and reports in its status whether it has the nodes it wants. Found through
 * the nodes' own marks and discovery, never by a product's name.
 */

type Pod = ClusterSnapshot['pods'][number];
type Node = ClusterSnapshot['nodes'][number];
type Event = ClusterSnapshot['events'][number];

/** A kind whose objects make many alike from a template (the words Kubernetes itself uses: Deployment, ReplicaSet). */
const GROUP_KIND = /(?:Deployment|Set|Pool|Group)$/;

/** Group kinds listed, at most. */
const MAX_GROUP_KINDS = 2;

/** A pod held back for room, with the node labels it requires and the nodes that carry them. */
export interface HeldForRoom {
  pod: Pod;
  pairs: LabelPair[];
  nodes: Node[];
  event: Event;
}

/**
 * Unscheduled pods the scheduler refused for want of room (`Insufficient cpu`) that require node labels some nodes
 * carry: those nodes are their group (no node carrying them is node-label-source's case, a label nobody sets).
 */
export function heldForRoom(snapshot: ClusterSnapshot): HeldForRoom[] {
  return snapshot.pods.flatMap((pod) => {
    if (!unscheduled(pod)) return [];
    const event = snapshot.events.find(
      (e) =>
        e.reason === 'FailedScheduling' &&
        e.involvedObject?.kind === 'Pod' &&
        e.involvedObject.name === pod.metadata?.name &&
        (e.involvedObject.namespace ?? e.metadata?.namespace) === pod.metadata?.namespace &&
        SHORT_OF_RESOURCES.test(e.message ?? ''),
    );
    const pairs = requiredPairs(pod);
    if (!event || pairs.length === 0) return [];
    const nodes = snapshot.nodes.filter((node) =>
      pairs.every(({ key, value }) => node.metadata?.labels?.[key] === value),
    );
    return nodes.length > 0 ? [{ pod, pairs, nodes, event }] : [];
  });
}

/** The API groups the nodes' label and annotation keys are spelled in (`example.io/pool` → `example.io`). */
export const markingGroups = (nodes: readonly Node[]): Set<string> =>
  new Set(
    nodes.flatMap((node) =>
      [...Object.keys(node.metadata?.labels ?? {}), ...Object.keys(node.metadata?.annotations ?? {})].flatMap((key) =>
        key.includes('/') ? [key.split('/')[0] as string] : [],
      ),
    ),
  );

/** Pods held for room in their node group: the group kinds of the groups that mark those nodes, cluster-wide. */
export function nodeGroupLists(snapshot: ClusterSnapshot): WantedList[] {
  const held = heldForRoom(snapshot);
  if (held.length === 0) return [];
  const groups = markingGroups(held.flatMap(({ nodes }) => nodes));
  const label = held[0]?.pairs[0];
  return servedCustomKinds(snapshot.apiGroups, (r, group) => groups.has(group) && GROUP_KIND.test(r.kind))
    .slice(0, MAX_GROUP_KINDS)
    .map(({ group, version, plural, kind }) => ({
      resource: { group, version, plural, kind },
      why: `pods wait for room on the nodes labelled ${label?.key}=${label?.value}, which ${group} marks: whether the ${kind} that makes them is short of nodes`,
      relevance: 3,
    }));
}

/**
 * What a group-making object's status says of being short: a condition False (not Ready, not Available) with its
 * reason, or fewer available than it wants. Undefined when it has what it wants.
 */
export function shortfall(object: CustomObject): string | undefined {
  const status = asRecord(object.status);
  const conditions = Array.isArray(status.conditions) ? status.conditions.map(asRecord) : [];
  const down = conditions.find((c) => c.status === 'False' && /^(?:Ready|Available)$/.test(String(c.type)));
  if (down)
    return `${String(down.type)}=False${down.reason ? ` (${String(down.reason)})` : ''}${down.message ? `: ${String(down.message)}` : ''}`;
  const wanted = asRecord(object.spec).replicas;
  const available = status.availableReplicas ?? status.readyReplicas;
  if (typeof wanted === 'number' && typeof available === 'number' && available < wanted)
    return `${available} of ${wanted} available`;
  return undefined;
}

/** A path through labels an object gives what it makes (`spec.template.metadata.labels.pool`), not a selector. */
const LABELS_PATH = /\.labels\.[^.]+$/;

/**
 * Whether a group-making object stamps one of the pairs onto the nodes it makes: of a group that marks those nodes
 * (the machinery that made them), the pair among the labels its spec gives — not a selector that requires it (a
 * workload's pod template asking for those nodes is their tenant, not their maker).
 */
export function stampsPair(object: CustomObject, pairs: readonly LabelPair[], nodes: readonly Node[]) {
  if (!GROUP_KIND.test(object.kind) || !markingGroups(nodes).has(object.apiVersion.split('/')[0] ?? ''))
    return undefined;
  const set = pairSetIn(object, pairs);
  return set && LABELS_PATH.test(set.path) ? set : undefined;
}
