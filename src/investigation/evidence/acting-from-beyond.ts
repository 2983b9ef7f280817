import type { CustomObject } from './custom-object.ts';
import { builtInGroup } from './custom-object.ts';
import { eventTime } from './events.ts';
import type { ServedGroup } from './routing-objects.ts';
import type { ClusterSnapshot } from './snapshot.ts';

/**
 * Objects that act on the symptom's path from outside its namespace, found through the references they carry — never
 * by a product's name:
 * - another Ingress that claims the same host and path (an ingress group merges Ingresses of every namespace into one
 *   load balancer, and the rule with the higher priority takes the requests);
 * - what feeds the alerted consumer: the objects that deliver to its Service (a typed `{kind: Service, name}` reference,
 *   a trigger's subscriber), the hub they subscribe to (a key called after a served kind, `broker: events`, or a typed
 *   reference), and the sources whose sink is that hub;
 * - the address pool of a LoadBalancer Service left without an address: the component that reports failing to
 *   allocate it owns an API group spelled with its own word, whose objects hold address ranges.
 */

type Ingress = ClusterSnapshot['ingresses'][number];
type Service = ClusterSnapshot['services'][number];
type Event = ClusterSnapshot['events'][number];

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

/** A LoadBalancer Service the load balancer has given no address. */
export const unallocated = (service: Service): boolean =>
  service.spec?.type === 'LoadBalancer' && (service.status?.loadBalancer?.ingress ?? []).length === 0;

/** The Warning events about a Service. */
export const warningsAbout = (snapshot: ClusterSnapshot, service: Service): Event[] =>
  snapshot.events.filter(
    (event) =>
      event.type === 'Warning' &&
      event.involvedObject?.kind === 'Service' &&
      event.involvedObject.name === service.metadata?.name &&
      (event.involvedObject.namespace ?? event.metadata?.namespace) === service.metadata?.namespace,
  );

/** The first word of the component that reported an event (`lb-controller` → `lb`): what it calls itself. */
function reporterWord(event: Event): string | undefined {
  const component = event.reportingComponent || event.source?.component || '';
  const word = component.toLowerCase().split(/[^a-z0-9]+/)[0];
  return word && word.length >= 3 ? word : undefined;
}

/** Whether an extension group is spelled with the component's word (`lb-controller` → `lb.example.io`). */
const groupOfReporter = (group: string, word: string): boolean =>
  !builtInGroup(group) && group.toLowerCase().split('.').includes(word);

/** Words of a kind's name that say it holds addresses to allocate from. */
const ADDRESS_KIND = /pool|address|range|\bip/i;

/**
 * The custom kinds of the groups of the components that report the Service's Warning events, the kinds that hold
 * addresses first.
 */
export function reporterKinds(groups: readonly ServedGroup[], warnings: readonly Event[]) {
  const words = [...new Set(warnings.map(reporterWord).filter((w): w is string => Boolean(w)))];
  return groups
    .filter(({ group }) => words.some((word) => groupOfReporter(group, word)))
    .flatMap(({ group, resources = [] }) => resources.map((r) => ({ group, ...r })))
    .sort((a, b) => Number(ADDRESS_KIND.test(b.kind)) - Number(ADDRESS_KIND.test(a.kind)));
}

/** The pools a reporting component keeps: custom objects of its group whose spec holds address ranges. */
export function addressPools(snapshot: ClusterSnapshot, warnings: readonly Event[]): CustomObject[] {
  const words = warnings.map(reporterWord).filter((w): w is string => Boolean(w));
  return snapshot.customObjects.filter(
    (object) =>
      words.some((word) => groupOfReporter(object.apiVersion.split('/')[0] ?? '', word)) &&
      rangesIn(object.spec).length > 0,
  );
}

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

const ipValue = (ip: string): number | undefined => {
  const parts = IPV4.exec(ip.trim())?.slice(1).map(Number);
  if (!parts || parts.some((p) => p > 255)) return undefined;
  return parts.reduce((sum, part) => sum * 256 + part, 0);
};

/** Address ranges a spec holds anywhere: `a.b.c.d/n` or `a.b.c.d-e.f.g.h`, as [first, last]. */
export function rangesIn(spec: unknown): [number, number][] {
  const found: [number, number][] = [];
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) value.forEach(visit);
    else if (value && typeof value === 'object') Object.values(value).forEach(visit);
    else if (typeof value === 'string') {
      const cidr = /^([\d.]+)\/(\d{1,2})$/.exec(value.trim());
      const range = /^([\d.]+)\s*-\s*([\d.]+)$/.exec(value.trim());
      if (cidr) {
        const base = ipValue(cidr[1] as string);
        const bits = Number(cidr[2]);
        if (base === undefined || bits > 32) return;
        const size = 2 ** (32 - bits);
        const first = Math.floor(base / size) * size;
        found.push([first, first + size - 1]);
      } else if (range) {
        const [a, b] = [ipValue(range[1] as string), ipValue(range[2] as string)];
        if (a !== undefined && b !== undefined) found.push([a, b]);
      }
    }
  };
  visit(spec);
  return found;
}

/** IPv4 addresses quoted in a text. */
export const addressesIn = (text: string): string[] =>
  [...text.matchAll(/\b\d{1,3}(?:\.\d{1,3}){3}\b/g)].map((m) => m[0]).filter((ip) => ipValue(ip) !== undefined);

/** Whether an address lies in one of the ranges. */
export const inRanges = (ip: string, ranges: readonly [number, number][]): boolean => {
  const value = ipValue(ip);
  return value !== undefined && ranges.some(([first, last]) => value >= first && value <= last);
};

/** The earliest time of the events (their first occurrence). */
export const firstOf = (events: readonly Event[]): string | undefined =>
  events
    .map((event) => (event.firstTimestamp ? String(event.firstTimestamp) : eventTime(event)))
    .filter((t): t is string => Boolean(t))
    .sort()[0];
