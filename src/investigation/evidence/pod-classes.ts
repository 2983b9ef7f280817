import type { CustomObject } from './custom-object.ts';
import type { WantedList } from './custom-read-plan.ts';
import { eventsFor } from './events.ts';
import type { ClusterSnapshot } from './snapshot.ts';

/**
 * A pod names cluster objects that set how it runs by a `…ClassName` field of its spec (`runtimeClassName: gvisor` →
 * RuntimeClass gvisor, which sets the handler the node's runtime runs it with). When the pod cannot be created or
 * started and the failure quotes a value of that class's own settings (`no runtime for "runsc-kvm" is configured`, the
 * class's handler), the setting that fails is the class's: every pod naming it fails alike, and the pods (and what
 * made them) are where it shows. The kind is the field's name (`runtimeClassName` → RuntimeClass), found through
 * discovery.
 */

type Pod = ClusterSnapshot['pods'][number];

/** A spec field naming a class object (`runtimeClassName`): the kind is the field's stem, capitalised. */
const CLASS_FIELD = /^([a-z][A-Za-z0-9]*Class)Name$/;

/** The classes a pod names by its spec's `…ClassName` fields: kind and name. */
export function classesNamed(pod: Pod): { kind: string; name: string }[] {
  return Object.entries((pod.spec ?? {}) as Record<string, unknown>).flatMap(([key, value]) => {
    const stem = CLASS_FIELD.exec(key)?.[1];
    return stem && typeof value === 'string' && value
      ? [{ kind: `${stem[0]?.toUpperCase() ?? ''}${stem.slice(1)}`, name: value }]
      : [];
  });
}

/** Pods that are not running for a reason an event of theirs states (a sandbox not created, a container not started). */
export function failedPodEvents(snapshot: ClusterSnapshot, pod: Pod): string[] {
  if (pod.status?.phase !== 'Pending') return [];
  return eventsFor(snapshot, 'Pod', pod.metadata?.namespace, pod.metadata?.name ?? '')
    .filter((event) => event.type === 'Warning' && event.reason !== 'FailedScheduling')
    .map((event) => event.message ?? '');
}

/** Values shorter than this match by chance. */
const SHORTEST_VALUE = 4;

/** The setting of the class (a top-level string field other than its identity) the message quotes, if any. */
export function quotedSetting(object: CustomObject, message: string): { field: string; value: string } | undefined {
  for (const [field, value] of Object.entries(object)) {
    if (['apiVersion', 'kind', 'metadata'].includes(field) || typeof value !== 'string') continue;
    if (value.length >= SHORTEST_VALUE && (message.includes(`"${value}"`) || message.includes(`'${value}'`)))
      return { field, value };
  }
  return undefined;
}

/**
 * Pods of the namespace that cannot be created or started, whose events say why, and that name a class of a served
 * kind not read: that kind, cluster-wide (or in the namespace, for a namespaced kind).
 */
export function podClassLists(snapshot: ClusterSnapshot, namespace: string): WantedList[] {
  const wanted = new Map<string, WantedList>();
  for (const pod of snapshot.pods) {
    if (pod.metadata?.namespace !== namespace || failedPodEvents(snapshot, pod).length === 0) continue;
    for (const named of classesNamed(pod)) {
      if (snapshot.customObjects.some((o) => o.kind === named.kind)) continue;
      const served = snapshot.apiGroups
        .flatMap(({ group, resources = [] }) => resources.map((r) => ({ group, ...r })))
        .find((r) => r.kind === named.kind);
      if (!served || wanted.has(served.kind)) continue;
      wanted.set(served.kind, {
        resource: { group: served.group, version: served.version, plural: served.plural, kind: served.kind },
        ...(served.namespaced ? { namespace } : {}),
        why: `pod ${pod.metadata?.name} cannot start and names ${served.kind} ${named.name}: what that class sets`,
        relevance: 4,
      });
    }
  }
  return [...wanted.values()].slice(0, 1);
}
