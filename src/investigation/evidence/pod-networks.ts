import type { WantedList } from './custom-read-plan.ts';
import { asRecord, type CustomObject, servedCustomKinds } from './custom-object.ts';
import { aboutPod, firstSeen, type KubeEvent } from './events.ts';
import { matchesSelector } from './labels.ts';
import type { ClusterSnapshot } from './snapshot.ts';

type Pod = ClusterSnapshot['pods'][number];
type Selector = Parameters<typeof matchesSelector>[1];

/**
 * A pod's sandbox gets its network from the cluster's network plugin; the kubelet reports FailedCreatePodSandBox when
 * the plugin cannot set it up (`failed to setup network for sandbox`, `plugin … failed (add)`), and the pod waits in
 * ContainerCreating. Plugins that give some pods a network of their own (an address pool, a subnet, a security group)
 * say which in custom resources that select pods the Kubernetes way (`podSelector`, `namespaceSelector`), of a kind
 * discovery names in a network group. Such a resource that selects the failing pods is where their network is set.
 */
export interface SandboxFailure {
  pod: Pod;
  event: KubeEvent;
  /** When the plugin first failed for the pod. */
  since?: string;
}

/** What the kubelet says when the network plugin could not give a sandbox its network. */
const NETWORK_SETUP = /failed to (?:set ?up|setup) network|plugin type="[^"]*" failed|\bcni\b.*fail|network plugin/i;

/** Pods whose sandbox the network plugin failed to set up, with the newest such event. */
export function sandboxFailures(snapshot: ClusterSnapshot): SandboxFailure[] {
  const events = snapshot.events.filter(
    (e) =>
      e.type === 'Warning' &&
      e.reason === 'FailedCreatePodSandBox' &&
      e.involvedObject?.kind === 'Pod' &&
      NETWORK_SETUP.test(e.message ?? ''),
  );
  return snapshot.pods.flatMap((pod) => {
    const about = aboutPod(events, pod);
    const event = about[0];
    if (!event) return [];
    const since = firstSeen(about);
    return [{ pod, event, ...(since ? { since } : {}) }];
  });
}

/** The network plugin's kinds: served extension kinds whose group or kind says network, not its policies. */
const NETWORK_WORD = /network/i;

/**
 * How closely the plugin's kinds relate to the symptom: the kubelet says the pods cannot start for want of the network
 * they give (how many are listed, at most, is collect.ts MAX_POD_NETWORK_LISTS).
 */
const RELEVANCE = 3;

/** The network plugin's kinds to list (all namespaces) when the plugin fails to set up pods' networks. */
export function podNetworkLists(snapshot: ClusterSnapshot): WantedList[] {
  const failing = sandboxFailures(snapshot)[0];
  if (!failing) return [];
  return servedCustomKinds(
    snapshot.apiGroups,
    (r, group) => (NETWORK_WORD.test(group) || NETWORK_WORD.test(r.kind)) && !/Policy$/.test(r.kind),
  ).map((kind) => ({
    resource: { group: kind.group, version: kind.version, plural: kind.plural, kind: kind.kind },
    why: `the network plugin failed to set up the sandbox of pod ${failing.pod.metadata?.name}: which ${kind.kind} gives it its network`,
    relevance: RELEVANCE,
  }));
}

/** The pod and namespace selectors of a resource's spec (`spec.selector.{pod,namespace}Selector` or `spec.…`). */
function selectorsOf(object: CustomObject): { pods?: Selector; namespaces?: Selector } | undefined {
  const spec = asRecord(object.spec);
  const holder =
    asRecord(spec.selector).podSelector || asRecord(spec.selector).namespaceSelector ? asRecord(spec.selector) : spec;
  const pods = holder.podSelector as Selector | undefined;
  const namespaces = holder.namespaceSelector as Selector | undefined;
  return pods || namespaces ? { ...(pods ? { pods } : {}), ...(namespaces ? { namespaces } : {}) } : undefined;
}

/** The namespace's labels as read, else the one label every namespace carries (its name). */
function namespaceLabels(snapshot: ClusterSnapshot, namespace: string): Record<string, string> {
  const read = snapshot.namespaces.find((n) => n.metadata?.name === namespace)?.metadata?.labels;
  return { 'kubernetes.io/metadata.name': namespace, ...(read ?? {}) };
}

/**
 * Whether a resource selects the pod: its pod selector matches the pod's labels (a resource that names only
 * namespaces selects every pod there), and its namespace selector, if any, the pod's namespace; a namespaced resource
 * without a namespace selector selects pods of its own namespace only.
 */
export function selectsPod(snapshot: ClusterSnapshot, object: CustomObject, pod: Pod): boolean {
  const selectors = selectorsOf(object);
  if (!selectors) return false;
  const namespace = pod.metadata?.namespace ?? '';
  if (selectors.namespaces) {
    if (!matchesSelector(namespaceLabels(snapshot, namespace), selectors.namespaces)) return false;
  } else if (object.metadata?.namespace && object.metadata.namespace !== namespace) return false;
  return !selectors.pods || matchesSelector(pod.metadata?.labels, selectors.pods);
}
