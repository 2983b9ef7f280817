import { schedulingFailures } from './scheduling-failures.ts';
import { mayRunOn } from './node-fit.ts';
import { parseQuantity } from './quantity.ts';
import type { ClusterSnapshot } from './snapshot.ts';
import { fieldsChangedAt } from './changed-fields.ts';
import { latest, ownEditTimes, snapshotNow, toMs } from './time.ts';
import type { Container, Pod, PodSpec } from './workloads.ts';
import { SUSPECT_CHANGE_WINDOW } from './onset.ts';

/**
 * The scheduler's verdict counts, for each node, the first filter that refused the pod, and the taint filter runs
 * before the resource filter: "3 node(s) had untolerated taint {…}, 1 Insufficient cpu" says nothing of whether the
 * three tainted nodes had room. When one of them does (its allocatable, less the requests of the pods bound there,
 * holds the pod's requests) and its taint is new, the taint took away the room the pod would have had, and the
 * shortage on the nodes left open is its consequence. Whether it has is read from the pods bound there, cluster-wide.
 */

type Node = ClusterSnapshot['nodes'][number];
type Taint = NonNullable<NonNullable<Node['spec']>['taints']>[number];

// Taints the node lifecycle controller sets for a sick node: the node's condition is the fault, not a taint someone added.
const CONDITION_TAINT =
  /^node\.kubernetes\.io\/(not-ready|unreachable|memory-pressure|disk-pressure|pid-pressure|network-unavailable)$/;

export const CORDON_TAINT = 'node.kubernetes.io/unschedulable';

/** The taints someone put on the node that keep pods off it (not a sick node's, not a cordon's, not a preference). */
export const keepingOffTaints = (node: Node): Taint[] =>
  (node.spec?.taints ?? []).filter(
    (t) => !CONDITION_TAINT.test(t.key) && t.key !== CORDON_TAINT && t.effect !== 'PreferNoSchedule',
  );

/** A scheduler verdict that also counts nodes short of what the pod requests ("3 Insufficient cpu"). */
export const SHORT_OF_RESOURCES = /\bInsufficient [a-z]/i;

/**
 * When the node's taints (or those given) were last written: the newest one's timeAdded (set for NoExecute taints), else the newest
 * edit by someone other than a controller whose recorded fields (managedFields) include spec.taints (a `kubectl taint`).
 * An edit of the node's labels or annotations is not its taint's date.
 */
export function taintedAt(node: Node, taints: readonly Taint[] = node.spec?.taints ?? []): string | undefined {
  const added = latest(taints.map((t) => t.timeAdded ?? undefined));
  return (
    added ??
    latest(ownEditTimes(node.metadata).filter((at) => fieldsChangedAt(node.metadata, at).includes('spec.taints')))
  );
}

/**
 * Whether the node or a taint of it is new within the suspect window: the node's birth (it came with its taints), its
 * taints' date (taintedAt), or an edit that records no fields, which may have been the taint.
 */
export function recentlyTainted(node: Node, now: number): boolean {
  const unrecorded = ownEditTimes(node.metadata).filter((at) => fieldsChangedAt(node.metadata, at).length === 0);
  const changed = toMs(latest([node.metadata?.creationTimestamp, taintedAt(node), ...unrecorded]));
  return changed !== undefined && now - changed <= SUSPECT_CHANGE_WINDOW;
}

/**
 * The scheduler's word that nodes were passed over for a taint the pod does not tolerate, in its current wording
 * ("had untolerated taint {…}") and its older ones ("had taint {…}, that the pod didn't tolerate", "had taints that
 * the pod didn't tolerate").
 */
export const UNTOLERATED_TAINT =
  /untolerated taint|had taints? .*?that the pod didn'?t tolerate|did(?:n'?t| not) tolerate/i;

/** Whether one of the pod's tolerations admits the taint, by the scheduler's rules (effect, Exists or Equal). */
export function tolerates(pod: Pod, taint: Taint): boolean {
  return (pod.spec?.tolerations ?? []).some((t) => {
    if (t.effect && t.effect !== taint.effect) return false;
    if (t.operator === 'Exists') return !t.key || t.key === taint.key;
    return t.key === taint.key && (t.value ?? '') === (taint.value ?? '');
  });
}

/**
 * Newly tainted nodes that pods the scheduler refuses partly for a taint and partly for resources may run on and do
 * not tolerate: where the pods bound there tell whether the taint, not capacity, keeps them waiting. Largest first.
 */
export function taintedNodesToWeigh(snapshot: ClusterSnapshot): string[] {
  const now = snapshotNow(snapshot);
  const mixed = schedulingFailures(snapshot).filter(
    (f) => SHORT_OF_RESOURCES.test(f.message) && UNTOLERATED_TAINT.test(f.message),
  );
  if (mixed.length === 0) return [];
  return snapshot.nodes
    .filter((node) => recentlyTainted(node, now))
    .filter((node) =>
      mixed.some((f) => mayRunOn(f.pod, node) && keepingOffTaints(node).some((t) => !tolerates(f.pod, t))),
    )
    .sort((a, b) => allocatable(b, 'cpu') - allocatable(a, 'cpu'))
    .map((node) => node.metadata?.name ?? '');
}

/** What the node offers of a resource to pods (its allocatable), 0 when it does not say. */
export const allocatable = (node: Node, resource: string): number =>
  parseQuantity(node.status?.allocatable?.[resource]) ?? 0;

/** What the containers request, summed per resource (cores, bytes, counts). */
export const requestsOf = (containers: readonly Container[]): Record<string, number> => {
  const sum: Record<string, number> = {};
  for (const container of containers) addTo(sum, requestOfContainer(container));
  return sum;
};

/**
 * What a pod asks a node for, per resource, as the scheduler counts it: init containers run one at a time before the
 * app containers start, so the pod needs the larger of its largest init container and its app containers together —
 * with the sidecars (init containers that keep running, restartPolicy Always) started before each counted beside it —
 * plus the overhead its runtime class adds.
 */
export function podRequests(spec: PodSpec | undefined): Record<string, number> {
  const sidecars: Record<string, number> = {};
  const peak: Record<string, number> = {};
  for (const init of spec?.initContainers ?? []) {
    const own = requestOfContainer(init);
    if (init.restartPolicy === 'Always') addTo(sidecars, own);
    const running = init.restartPolicy === 'Always' ? { ...sidecars } : addTo({ ...sidecars }, own);
    for (const [resource, quantity] of Object.entries(running))
      peak[resource] = Math.max(peak[resource] ?? 0, quantity);
  }
  const steady = addTo(requestsOf(spec?.containers ?? []), sidecars);
  const wanted: Record<string, number> = {};
  for (const resource of new Set([...Object.keys(peak), ...Object.keys(steady)]))
    wanted[resource] = Math.max(peak[resource] ?? 0, steady[resource] ?? 0);
  const overhead = Object.fromEntries(
    Object.entries(spec?.overhead ?? {}).map(([resource, quantity]) => [resource, parseQuantity(quantity) ?? 0]),
  );
  return addTo(wanted, overhead);
}

const requestOfContainer = (container: Container): Record<string, number> =>
  Object.fromEntries(
    Object.entries(container.resources?.requests ?? {}).map(([resource, quantity]) => [
      resource,
      parseQuantity(quantity) ?? 0,
    ]),
  );

/** Adds each resource's quantity of `more` to `sum`, which it returns. */
function addTo(sum: Record<string, number>, more: Record<string, number>): Record<string, number> {
  for (const [resource, quantity] of Object.entries(more)) sum[resource] = (sum[resource] ?? 0) + quantity;
  return sum;
}

/** Whether the pod holds room on its node: a finished pod (Succeeded, Failed) holds none. */
export const holdsRoom = (pod: Pod): boolean => pod.status?.phase !== 'Succeeded' && pod.status?.phase !== 'Failed';

/** What the pods request of the resource, together. */
export const requestedBy = (pods: readonly Pod[], resource: string): number =>
  pods.reduce((sum, pod) => sum + (podRequests(pod.spec)[resource] ?? 0), 0);

/**
 * Whether the node has room for the pod's requests: its allocatable less the requests of the pods bound there. Only
 * known when the node's pods were read cluster-wide (undefined otherwise: a namespace's pods are not all it runs).
 */
export function hasRoomFor(snapshot: ClusterSnapshot, pod: Pod, node: Node): boolean | undefined {
  const name = node.metadata?.name ?? '';
  if (!(snapshot.podsReadOnNodes ?? []).includes(name)) return undefined;
  const bound = snapshot.pods.filter((p) => p.spec?.nodeName === name && holdsRoom(p));
  const wanted = Object.entries(podRequests(pod.spec)).filter(([, quantity]) => quantity > 0);
  if (wanted.length === 0) return undefined;
  return wanted.every(([resource, quantity]) => {
    const offered = parseQuantity(node.status?.allocatable?.[resource]);
    if (offered === undefined) return false;
    return offered - requestedBy(bound, resource) >= quantity;
  });
}

/**
 * A newly tainted node, among those the pod may run on, whose taint it does not tolerate and that has room for it
 * (read): the taint, not capacity, keeps the pod waiting, and its shortage elsewhere is the taint's consequence.
 */
export function nodeClosedByNewTaint(snapshot: ClusterSnapshot, pod: Pod): Node | undefined {
  const now = snapshotNow(snapshot);
  return snapshot.nodes.find(
    (node) =>
      recentlyTainted(node, now) &&
      mayRunOn(pod, node) &&
      keepingOffTaints(node).some((t) => !tolerates(pod, t)) &&
      hasRoomFor(snapshot, pod, node) === true,
  );
}
