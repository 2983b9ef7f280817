import type { CustomObject } from './custom-object.ts';
import { builtInGroup } from './custom-object.ts';
import type { ServedGroup } from './routing-objects.ts';
import type { ClusterSnapshot } from './snapshot.ts';

/**
 * Objects that act on the symptom's path from outside its namespace, found through the references they carry — never
 * by a product's name:
 * - another Ingress that claims the same host and path (an ingress group merges Ingresses of every namespace into one
 *   load balancer, and the rule with the higher priority takes the requests);
 * - what feeds the alerted consumer: the objects that deliver to its Service (a typed `{kind: Service, name}` reference,
 *   a trigger's subscriber), the hub they subscribe to (a key called after a served kind, `broker: events`, or a typed
 *   reference), and the sources whose sink is that hub.
 * The address pools of a LoadBalancer Service left without an address act on it from beyond too (address-pools.ts).
 */

type Ingress = ClusterSnapshot['ingresses'][number];

/** A typed reference anywhere in an object's spec: `{kind, name}` (a sink, a subscriber, a target). */
interface TypedRef {
  kind: string;
  name: string;
  namespace: string;
}

/** Every typed reference an object's spec holds, in the object's namespace unless the reference names another. */
function typedRefs(object: { spec?: unknown; metadata?: { namespace?: string } }): TypedRef[] {
  const own = object.metadata?.namespace ?? '';
  const found: TypedRef[] = [];
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) value.forEach(visit);
    else if (value && typeof value === 'object') {
      const ref = value as { kind?: unknown; name?: unknown; namespace?: unknown };
      if (typeof ref.kind === 'string' && typeof ref.name === 'string' && ref.name)
        found.push({
          kind: ref.kind,
          name: ref.name,
          namespace: typeof ref.namespace === 'string' ? ref.namespace : own,
        });
      Object.values(value).forEach(visit);
    }
  };
  visit(object.spec);
  return found;
}

const refers = (object: CustomObject, kind: string, name: string, namespace: string): boolean =>
  typedRefs(object).some((ref) => ref.kind === kind && ref.name === name && ref.namespace === namespace);

/** The custom objects that deliver to the Service: their spec names it by a typed reference. */
export function deliveriesTo(snapshot: ClusterSnapshot, service: { name: string; namespace: string }): CustomObject[] {
  return snapshot.customObjects.filter((object) => refers(object, 'Service', service.name, service.namespace));
}

/**
 * The hubs a delivery object subscribes to: a top-level spec key called after a served custom kind holding a name
 * (`broker: events` → Broker events), or a typed reference to anything but a Service.
 */
export function hubsOf(delivery: CustomObject, groups: readonly ServedGroup[]): TypedRef[] {
  const namespace = delivery.metadata?.namespace ?? '';
  const spec = (delivery.spec ?? {}) as Record<string, unknown>;
  const kinds = groups
    .filter(({ group }) => !builtInGroup(group))
    .flatMap(({ resources = [] }) => resources.map((r) => r.kind));
  const named = Object.entries(spec).flatMap(([key, value]) => {
    const kind = kinds.find((k) => k.toLowerCase() === key.toLowerCase());
    return kind && typeof value === 'string' && value ? [{ kind, name: value, namespace }] : [];
  });
  return [...named, ...typedRefs(delivery).filter((ref) => ref.kind !== 'Service')];
}

/** The custom objects that feed a hub: their spec (a sink) names it by a typed reference. */
export function feedersOf(snapshot: ClusterSnapshot, hub: TypedRef): CustomObject[] {
  return snapshot.customObjects.filter((object) => refers(object, hub.kind, hub.name, hub.namespace));
}

/** The host and path of each rule of an Ingress that sends to the Service. */
function routesToService(ingress: Ingress, service: string): { host: string; path: string }[] {
  return (ingress.spec?.rules ?? []).flatMap((rule) =>
    (rule.http?.paths ?? [])
      .filter((path) => path.backend?.service?.name === service)
      .map((path) => ({ host: rule.host ?? '', path: path.path ?? '/' })),
  );
}

/**
 * Other Ingresses, in any namespace, with a rule for the same host whose path takes the requests of a route the given
 * Ingress sends to the Service (the same path, or a longer one under it) to another backend.
 */
export function competingIngresses(snapshot: ClusterSnapshot, ingress: Ingress, service: string): Ingress[] {
  const routes = routesToService(ingress, service);
  if (routes.length === 0) return [];
  const namespace = ingress.metadata?.namespace;
  return snapshot.ingresses.filter((other) => {
    if (other.metadata?.namespace === namespace && other.metadata?.name === ingress.metadata?.name) return false;
    return (other.spec?.rules ?? []).some((rule) =>
      (rule.http?.paths ?? []).some(
        (path) =>
          !(other.metadata?.namespace === namespace && path.backend?.service?.name === service) &&
          routes.some((route) => route.host === (rule.host ?? '') && (path.path ?? '/').startsWith(route.path)),
      ),
    );
  });
}
