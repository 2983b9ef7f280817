import { builtInGroup } from './custom-object.ts';
import type { ServedGroup, ServedResource } from './routing-objects.ts';

/**
 * An alert rule's label may be named after the kind of object its metric is about (`fleet="harbour-west"`,
 * `kafkatopic="orders"`, `rabbitmqcluster="events"`), as kube-state-metrics names `deployment` or `statefulset`: the
 * operator's exporter labels its series with the custom resource they describe. That object, wherever it lives, is
 * the alert's subject; the namespace label may only say where the metric was scraped (the client that reports it).
 */

export interface KindNamed {
  label: string;
  /** The object's name, as the label gives it. */
  name: string;
  group: string;
  resource: ServedResource;
}

// A Kubernetes object name (DNS subdomain).
const OBJECT_NAME = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

const compact = (value: string): string => value.toLowerCase().replace(/[^a-z0-9]/g, '');

/**
 * The labels, outside `ignored`, whose name is a namespaced custom resource kind the cluster serves (its kind or plural,
 * separators ignored, a trailing `name` too: `fleet`, `fleet_name`, `game_server_set`) and whose value is an object
 * name, with the resource to read.
 */
export function kindsNamedByLabels(
  labels: Record<string, string>,
  groups: ServedGroup[],
  ignored: ReadonlySet<string>,
): KindNamed[] {
  const served = groups
    .filter((group) => !builtInGroup(group.group))
    .flatMap((group) => (group.resources ?? []).map((resource) => ({ group: group.group, resource })))
    .filter(({ resource }) => resource.namespaced);
  return Object.entries(labels).flatMap(([label, value]) => {
    if (ignored.has(label) || !OBJECT_NAME.test(value)) return [];
    const forms = new Set([compact(label), compact(label).replace(/name$/, '')]);
    const kind = served.find(
      ({ resource }) => forms.has(resource.kind.toLowerCase()) || forms.has(resource.plural.toLowerCase()),
    );
    return kind ? [{ label, name: value, ...kind }] : [];
  });
}

/** Label names that carry no object's kind, for `kindsNamedByLabels`: quick to rule out before asking discovery. */
export function mayNameKinds(labels: Record<string, string>, ignored: ReadonlySet<string>): boolean {
  return Object.entries(labels).some(([label, value]) => !ignored.has(label) && OBJECT_NAME.test(value));
}
