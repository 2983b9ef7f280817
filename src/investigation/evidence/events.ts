import type { EntityRef, Evidence } from '../model.ts';
import type { ClusterSnapshot } from './snapshot.ts';

export type KubeEvent = ClusterSnapshot['events'][number];

export const eventTime = (event: KubeEvent): string | undefined =>
  event.lastTimestamp ?? event.eventTime ?? event.firstTimestamp ?? event.metadata?.creationTimestamp;

/**
 * The namespace of the object an event is about: its involvedObject's, else the event's own (an event is recorded in the
 * namespace of its object, and some recorders leave involvedObject.namespace out).
 */
export const eventNamespace = (event: KubeEvent): string | undefined =>
  event.involvedObject?.namespace ?? event.metadata?.namespace;

export const eventSubject = (event: KubeEvent): EntityRef => {
  const o = event.involvedObject;
  const ref: EntityRef = { kind: o?.kind ?? 'Unknown', name: o?.name ?? '' };
  const namespace = eventNamespace(event);
  if (namespace && o?.kind !== 'Node') ref.namespace = namespace;
  return ref;
};

export function eventEvidence(event: KubeEvent): Evidence {
  const count = occurrences(event) > 1 ? ` (×${occurrences(event)})` : '';
  const evidence: Evidence = {
    source: 'event',
    ref: eventSubject(event),
    text: `${event.reason}: ${event.message ?? ''}${count}`,
  };
  const at = eventTime(event);
  if (at) evidence.at = at;
  return evidence;
}

/** How many times an event happened: its series count (events.k8s.io) or its count (core), at least once. */
export const occurrences = (event: KubeEvent): number =>
  Math.max(1, (event as { series?: { count?: number } }).series?.count ?? event.count ?? 1);

/**
 * Repeats of one event folded into one: the same object, reason and message recorded as several Event objects (the
 * recorder's aggregation, two sources) count once, with their counts added and the latest time kept.
 */
export function foldRepeats(events: KubeEvent[]): KubeEvent[] {
  const folded = new Map<string, KubeEvent>();
  for (const event of events) {
    const o = event.involvedObject;
    const key = [o?.kind, eventNamespace(event), o?.name, event.reason, event.message].join('|');
    const held = folded.get(key);
    if (!held) {
      folded.set(key, event);
      continue;
    }
    const [newer, older] = (eventTime(event) ?? '') > (eventTime(held) ?? '') ? [event, held] : [held, event];
    folded.set(key, { ...newer, count: occurrences(newer) + occurrences(older) });
  }
  return [...folded.values()];
}

/** Events about one object, newest first, repeats folded into one. */
export function eventsFor(
  snapshot: ClusterSnapshot,
  kind: string,
  namespace: string | undefined,
  name: string,
): KubeEvent[] {
  return foldRepeats(
    snapshot.events.filter(
      (e) =>
        e.involvedObject?.kind === kind &&
        e.involvedObject?.name === name &&
        (kind === 'Node' || eventNamespace(e) === namespace),
    ),
  ).sort((a, b) => (eventTime(b) ?? '').localeCompare(eventTime(a) ?? ''));
}

/**
 * The events of a few about one pod, newest first, each kept as recorded (not folded: a caller quotes the newest and
 * dates the failure from the oldest).
 */
export function aboutPod(events: readonly KubeEvent[], pod: ClusterSnapshot['pods'][number]): KubeEvent[] {
  return events
    .filter((e) => e.involvedObject?.name === pod.metadata?.name && eventNamespace(e) === pod.metadata?.namespace)
    .sort((a, b) => (eventTime(b) ?? '').localeCompare(eventTime(a) ?? ''));
}

/** When the first of these events first happened (its firstTimestamp, else its time): when the trouble began. */
export const firstSeen = (events: readonly KubeEvent[]): string | undefined =>
  events.map((e) => e.firstTimestamp ?? eventTime(e)).sort()[0];
