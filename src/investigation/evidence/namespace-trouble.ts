import { endpointsOf, readyAddresses } from './endpoints.ts';
import { eventTime, foldRepeats } from './events.ts';
import { MINUTE, toMs } from './time.ts';
import type { ClusterSnapshot } from './snapshot.ts';
import { standingEvent, standingSince } from './standing-trouble.ts';

// Pods neither running nor done, and Warning events (crash loops, failed probes, refused creations): the cheapest
// cluster-wide signs of where things are broken, both narrowed by the API server.
export const UNHEALTHY_PODS = 'status.phase!=Running,status.phase!=Succeeded';
export const WARNINGS = 'type=Warning';

type Listed = Pick<ClusterSnapshot, 'pods' | 'events' | 'services' | 'endpoints'>;

/** A Service with a selector whose Endpoints hold no ready address: whatever calls it gets refused. */
function unserved(service: ClusterSnapshot['services'][number], endpoints: ClusterSnapshot['endpoints']): boolean {
  // Without a selector, Endpoints are kept by hand (or point outside the cluster); an ExternalName has none.
  if (!service.spec?.selector || Object.keys(service.spec.selector).length === 0) return false;
  if (service.spec.type === 'ExternalName') return false;
  const own = endpointsOf(endpoints, service);
  // A missing Endpoints object is not judged: the list may have been cut short.
  return own !== undefined && readyAddresses(own).length === 0;
}

/** Built-in kinds that live in no namespace: their events are recorded in `default` whatever the object serves. */
const CLUSTER_SCOPED_KINDS = new Set(['Node', 'PersistentVolume', 'Namespace', 'StorageClass', 'CSINode']);

/**
 * An event about an object of no namespace (a Node's disk, a cluster-wide policy): Kubernetes records it in `default`,
 * which says nothing of `default` — counted there, a node's noise would draw the look to a namespace running nothing.
 */
function aboutClusterScoped(event: ClusterSnapshot['events'][number]): boolean {
  const subject = event.involvedObject;
  if (!subject?.kind) return false;
  return !subject.namespace || CLUSTER_SCOPED_KINDS.has(subject.kind);
}

/**
 * How long before the onset trouble may end and still be the symptom's: a fault shows at once or soon after (a rule's
 * `for:` delay). Trouble that ended earlier (a probe that failed twice hours before, its pod ready since) was over while
 * the symptom did not yet exist: a component that recovered is a bystander of what began after.
 */
const ENDED_BEFORE_ONSET = 60 * MINUTE;

/** Whether an event was last seen over ENDED_BEFORE_ONSET before the onset (ms). */
const overBefore = (event: ClusterSnapshot['events'][number], onset: number): boolean => {
  const last = toMs(eventTime(event));
  return last !== undefined && last < onset - ENDED_BEFORE_ONSET;
};

/**
 * Signs of trouble per namespace, from cluster-wide lists: pods neither running nor done, Warning events, and Services
 * no ready pod serves (a broken selector or target port, failing readiness) — the faults that show in no pod's phase.
 * `endpoints` may be empty when they were not read; Services are then not judged. With `onset` (ms), standing trouble
 * (standing-trouble.ts) is left out: pods created and events first recorded days before it that have not merely come
 * back since. `goingOn` (with `onset`): trouble that ended over an hour before it is left out too (ENDED_BEFORE_ONSET).
 * Services, whose Endpoints carry no time, are always judged.
 */
export function troubleByNamespace(listed: Listed, onset?: number, goingOn = false): Map<string, number> {
  const signs = new Map<string, number>();
  const add = (namespace: string | undefined) => {
    if (namespace) signs.set(namespace, (signs.get(namespace) ?? 0) + 1);
  };
  for (const pod of listed.pods) {
    if (onset === undefined || !standingSince(pod.metadata?.creationTimestamp, onset)) add(pod.metadata?.namespace);
  }
  // A repeated event is one sign, however many Event objects recorded it.
  for (const event of foldRepeats(listed.events)) {
    if (aboutClusterScoped(event)) continue;
    const left = onset !== undefined && (standingEvent(event, onset) || (goingOn && overBefore(event, onset)));
    if (!left) add(event.metadata?.namespace);
  }
  if (listed.endpoints.length > 0) {
    for (const service of listed.services) if (unserved(service, listed.endpoints)) add(service.metadata?.namespace);
  }
  return signs;
}
