import type { EntityRef, Evidence } from '../model.ts';
import type { ClusterSnapshot } from './snapshot.ts';

export type KubeEvent = ClusterSnapshot['events'][number];

export const eventTime = (event: KubeEvent): string | undefined =>
  event.lastTimestamp ?? event.eventTime ?? event.firstTimestamp ?? event.metadata?.creationTimestamp;

export const eventSubject = (event: KubeEvent): EntityRef => {
  const o = event.involvedObject;
  const ref: EntityRef = { kind: o?.kind ?? 'Unknown', name: o?.name ?? '' };
  const namespace = o?.namespace ?? event.metadata?.namespace;
  if (namespace && o?.kind !== 'Node') ref.namespace = namespace;
  return ref;
};

export function eventEvidence(event: KubeEvent): Evidence {
  const count = (event.count ?? 1) > 1 ? ` (×${event.count})` : '';
  const evidence: Evidence = {
    source: 'event',
    ref: eventSubject(event),
    text: `${event.reason}: ${event.message ?? ''}${count}`,
  };
  const at = eventTime(event);
  if (at) evidence.at = at;
  return evidence;
}

/** Events about one object, newest first. */
export function eventsFor(
  snapshot: ClusterSnapshot,
  kind: string,
  namespace: string | undefined,
  name: string,
): KubeEvent[] {
  return snapshot.events
    .filter(
      (e) =>
        e.involvedObject?.kind === kind &&
        e.involvedObject?.name === name &&
        (kind === 'Node' || (e.involvedObject?.namespace ?? e.metadata?.namespace) === namespace),
    )
    .sort((a, b) => (eventTime(b) ?? '').localeCompare(eventTime(a) ?? ''));
}
