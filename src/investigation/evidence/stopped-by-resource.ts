import type { EntityRef } from '../model.ts';
import { builtInGroup } from './custom-object.ts';
import { eventNamespace, eventTime, type KubeEvent } from './events.ts';
import { selectsNoPod } from './operator-addressed.ts';
import type { ClusterSnapshot } from './snapshot.ts';

type Service = ClusterSnapshot['services'][number];

/**
 * The kinds Kubernetes serves itself that events are recorded about. A recorder may write an extension's object under a
 * built-in apiVersion; its kind still says it is no Kubernetes object.
 */
const KUBERNETES_KINDS: ReadonlySet<string> = new Set([
  'Pod',
  'Node',
  'Namespace',
  'Service',
  'Endpoints',
  'EndpointSlice',
  'ConfigMap',
  'Secret',
  'ServiceAccount',
  'PersistentVolume',
  'PersistentVolumeClaim',
  'Deployment',
  'ReplicaSet',
  'StatefulSet',
  'DaemonSet',
  'Job',
  'CronJob',
  'HorizontalPodAutoscaler',
  'PodDisruptionBudget',
  'Ingress',
  'NetworkPolicy',
  'ResourceQuota',
  'LimitRange',
  'Lease',
]);

/** Whether an event is about an extension's object: its group is not Kubernetes' own, or its kind is none of its. */
function aboutCustomObject(event: KubeEvent): boolean {
  const about = event.involvedObject;
  if (!about?.kind || !about.name) return false;
  const apiVersion = about.apiVersion ?? '';
  const group = apiVersion.includes('/') ? (apiVersion.split('/')[0] as string) : '';
  return !builtInGroup(group) || !KUBERNETES_KINDS.has(about.kind);
}

/**
 * An operator stamps the name of its resource on every pod it makes for it, as a label value (`<group>/cluster:
 * <name>`, `<group>/domain: <name>`), and the Services in front of those pods select them by it. When the resource
 * tells it to run nothing (hibernate, halt, pause, zero instances), the operator deletes them all and records what it
 * did as events about the resource: no pod is left carrying the label, and the events remain. A Service that selects
 * no pod, one of whose selector's values names a custom resource the namespace's events speak of, addresses the pods
 * that resource's operator took away: the selector is as it was, the resource is what changed.
 */
export interface StoppedByResource {
  service: Service;
  /** The custom resource the selector names, as its events name it. */
  resource: EntityRef;
  /** Its events, oldest first. */
  events: KubeEvent[];
}

/**
 * The events' subject that the others' events act on is below it (a virtual machine's operator deletes its running
 * instance, which has events of its own, under the same name): an event that quotes another subject's uid is about the
 * one above. The subjects no other subject's event quotes.
 */
function topmost(candidates: StoppedByResource[]): StoppedByResource[] {
  const uidOf = (c: StoppedByResource) => c.events.find((e) => e.involvedObject?.uid)?.involvedObject?.uid;
  return candidates.filter((below) => {
    const uid = uidOf(below);
    return !uid || !candidates.some((c) => c !== below && c.events.some((e) => e.message?.includes(uid)));
  });
}

/**
 * Services of the namespace that select no pod and whose selector names, by a label value, custom resources of the
 * namespace that events speak of; `recent` says which event times count (the operator's acts shortly before the onset).
 */
export function stoppedByResource(
  snapshot: ClusterSnapshot,
  namespace: string,
  recent: (at: string | undefined) => boolean,
): StoppedByResource[] {
  const spoken = snapshot.events.filter(
    (e) => eventNamespace(e) === namespace && aboutCustomObject(e) && recent(eventTime(e)),
  );
  if (spoken.length === 0) return [];
  // A value some pod still carries names what still runs (a workload relabelled, a resource that only watches it).
  const carried = new Set(
    snapshot.pods
      .filter((pod) => pod.metadata?.namespace === namespace)
      .flatMap((pod) => Object.values(pod.metadata?.labels ?? {})),
  );
  return snapshot.services.flatMap((service) => {
    if (service.metadata?.namespace !== namespace || !selectsNoPod(snapshot, service, namespace)) return [];
    const values = new Set(Object.values(service.spec?.selector ?? {}).filter((value) => !carried.has(value)));
    const bySubject = new Map<string, StoppedByResource>();
    for (const event of spoken) {
      const { kind = '', name = '' } = event.involvedObject ?? {};
      if (!values.has(name)) continue;
      const key = `${kind}/${name}`;
      const held = bySubject.get(key) ?? { service, resource: { kind, namespace, name }, events: [] };
      held.events.push(event);
      bySubject.set(key, held);
    }
    const named = topmost([...bySubject.values()]);
    // Two resources of unrelated kinds named alike: the selector does not say which one's pods it addressed.
    if (named.length !== 1) return [];
    const [only] = named as [StoppedByResource];
    only.events.sort((a, b) => (eventTime(a) ?? '').localeCompare(eventTime(b) ?? ''));
    return [only];
  });
}
