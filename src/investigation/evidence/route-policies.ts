import type { EntityRef } from '../model.ts';
import { refKey } from '../model.ts';
import { type CustomObject, type ServedCustomKind, servedCustomKinds } from './custom-object.ts';
import type { WantedList } from './custom-read-plan.ts';
import { type EvidenceGraph, refOf } from './graph.ts';
import { isRouteKind, routesToService } from './route-kinds.ts';
import type { ServedGroup } from './routing-objects.ts';
import type { ClusterSnapshot } from './snapshot.ts';

/**
 * The request path from the edge to an application runs through routing objects (an Ingress, a router's own route, a
 * Gateway API route) and through the policy objects they name: by an annotation whose value names objects
 * (`<domain>/plugins: a,b`, `<domain>/router.middlewares: <ns>-<name>@<provider>`), by a spec field called after a kind
 * (`middlewares: [{name}]`, `serversTransport: name`), or by a typed reference (`extensionRef: {group, kind, name}`).
 * Which kind a word names is what API discovery says the cluster serves — never a product list: a kind exists only if
 * the cluster serves it. Those objects act on every request of the route (a rate limit, an auth plugin, the TLS to the
 * upstream), with nothing changed in the application behind it.
 */

/** One object a routing object names as acting on its requests, before it is read. */
export interface RoutePolicyRef {
  resource: ServedCustomKind;
  namespace: string;
  /** The names it may have: as written, and without the `<namespace>-` prefix and `@provider` suffix routers add. */
  names: string[];
  /** The routing object that names it (an Ingress, a route, a Service). */
  route: EntityRef;
  /** The annotation or spec key that names it. */
  key: string;
  /** The parts of the route's spec around the reference, innermost last: the rule or backend entry it acts on. */
  scope?: unknown[];
}

/** Labels of an API domain that say nothing of whose it is (`ownLabels`: the rest, the product's own). */
const GENERIC_LABELS = new Set([
  'io',
  'com',
  'net',
  'org',
  'dev',
  'sh',
  'k8s',
  'x-k8s',
  'kubernetes',
  'ingress',
  'networking',
  'configuration',
  'config',
  'api',
  'apps',
  'gateway',
]);
export const ownLabels = (domain: string): string[] =>
  domain
    .toLowerCase()
    .split('.')
    .filter((label) => label && !GENERIC_LABELS.has(label));

/** Whether an annotation's domain and an API group are the same product's (they share a label of their own). */
const related = (domain: string, group: string): boolean => {
  const mine = ownLabels(group);
  return ownLabels(domain).some((label) => mine.includes(label));
};

const flat = (word: string): string => word.toLowerCase().replace(/[-_]/g, '');
const singular = (word: string): string => word.replace(/s$/, '');

/** A DNS-1123 name, as objects are named. */
const OBJECT_NAME = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

/** Spec keys that name what the route sends to or describes, never a policy object. */
const NOT_A_POLICY_KEY = /^(?:name|namespace|kind|group|apiVersion|services?|host|hosts|match|path|port|scheme)$/i;

/** The namespaced extension kinds of the served groups that `accepts`, with their group. */
function namespacedKinds(groups: readonly ServedGroup[], accepts: (group: string) => boolean): ServedCustomKind[] {
  return servedCustomKinds(groups, (r, group) => r.namespaced && accepts(group));
}

/**
 * The kind an annotation key names (`<domain>/plugins`, `<domain>/router.middlewares`): its last word, as a plural or a
 * kind's end (`plugins` → a kind ending in Plugin), among the kinds of groups of the annotation's own product.
 */
function kindOfAnnotation(groups: readonly ServedGroup[], key: string): ServedCustomKind | undefined {
  const [domain, path] = key.includes('/') ? (key.split('/', 2) as [string, string]) : ['', key];
  const word = flat(path.split('.').at(-1) ?? '');
  if (!domain || word.length < 4) return undefined;
  const kinds = namespacedKinds(groups, (group) => related(domain, group));
  return (
    kinds.find((r) => r.plural === word || flat(r.kind) === word) ??
    kinds.find((r) => flat(r.kind).endsWith(singular(word)))
  );
}

/** The kind a spec key names (`middlewares`, `serversTransport`): its plural or its name, the route's own group first. */
function kindOfSpecKey(groups: readonly ServedGroup[], key: string, routeGroup: string): ServedCustomKind | undefined {
  if (NOT_A_POLICY_KEY.test(key)) return undefined;
  const word = flat(key);
  const matches = (r: ServedCustomKind) => r.plural === word || flat(r.kind) === word;
  return (
    namespacedKinds(groups, (group) => group === routeGroup).find(matches) ??
    namespacedKinds(groups, (group) => related(routeGroup, group)).find(matches)
  );
}

/** The names a reference value may stand for: `a,b`, `<namespace>-<name>@<provider>`. */
function namesIn(value: string, namespace: string): string[][] {
  return value
    .split(',')
    .map((part) => part.trim().replace(/@[\w-]+$/, ''))
    .filter((part) => OBJECT_NAME.test(part))
    .map((part) => {
      const bare = part.startsWith(`${namespace}-`) ? part.slice(namespace.length + 1) : undefined;
      return bare ? [part, bare] : [part];
    });
}

type Annotated = {
  kind: string;
  metadata?: { name?: string; namespace?: string; annotations?: Record<string, string> };
};

/** The objects an Ingress's or a Service's annotations name, by the annotation's word. */
function annotationRefs(object: Annotated, groups: readonly ServedGroup[]): RoutePolicyRef[] {
  const namespace = object.metadata?.namespace ?? '';
  const route = refOf(object.kind, object.metadata);
  return Object.entries(object.metadata?.annotations ?? {}).flatMap(([key, value]) => {
    const resource = kindOfAnnotation(groups, key);
    if (!resource || typeof value !== 'string') return [];
    return namesIn(value, namespace).map((names) => ({ resource, namespace, names, route, key }));
  });
}

/**
 * The objects a route's spec names: a key called after a kind holding a name or `{name}` objects, or a typed reference
 * (`{group, kind, name}`) of an extension kind.
 */
function specRefs(
  route: CustomObject | (Annotated & { apiVersion?: string; spec?: unknown }),
  groups: readonly ServedGroup[],
): RoutePolicyRef[] {
  const namespace = route.metadata?.namespace ?? '';
  const routeRef = refOf(route.kind, route.metadata);
  const routeGroup = route.apiVersion?.split('/')[0] ?? '';
  const found: RoutePolicyRef[] = [];
  const around: unknown[] = [];
  const add = (resource: ServedCustomKind | undefined, name: unknown, key: string, where?: unknown) => {
    if (!resource || typeof name !== 'string' || !OBJECT_NAME.test(name)) return;
    const ns = typeof where === 'string' && where ? where : namespace;
    found.push({ resource, namespace: ns, names: [name], route: routeRef, key, scope: [...around] });
  };
  const visit = (value: unknown, key: string): void => {
    if (Array.isArray(value)) {
      for (const item of value) visit(item, key);
      return;
    }
    if (typeof value === 'string') {
      add(kindOfSpecKey(groups, key, routeGroup), value, key);
      return;
    }
    if (!value || typeof value !== 'object') return;
    const typed = value as { group?: unknown; kind?: unknown; name?: unknown; namespace?: unknown };
    if (typeof typed.kind === 'string' && typeof typed.group === 'string' && typed.group) {
      const resource = namespacedKinds(groups, (group) => group === typed.group).find((r) => r.kind === typed.kind);
      add(resource, typed.name, key, typed.namespace);
    } else if (typeof typed.name === 'string' && key) {
      add(kindOfSpecKey(groups, key, routeGroup), typed.name, key, typed.namespace);
    }
    around.push(value);
    for (const [inner, v] of Object.entries(value)) if (inner !== 'name' && inner !== 'namespace') visit(v, inner);
    around.pop();
  };
  visit(route.spec, '');
  return found.filter((ref) => ref.resource.kind !== route.kind);
}

/** Every policy object the routing objects read name (Ingresses, Gateway API routes, routers' routes, Services). */
export function routePolicyRefs(snapshot: ClusterSnapshot): RoutePolicyRef[] {
  const groups = snapshot.apiGroups;
  return [
    ...snapshot.ingresses.flatMap((ingress) => annotationRefs({ ...ingress, kind: 'Ingress' }, groups)),
    ...snapshot.services.flatMap((service) => annotationRefs({ ...service, kind: 'Service' }, groups)),
    ...snapshot.httpRoutes.flatMap((route) => specRefs({ ...route, kind: route.kind ?? 'HTTPRoute' }, groups)),
    ...snapshot.customObjects
      .filter((object) => isRouteKind(object.kind))
      .flatMap((route) => [...annotationRefs(route, groups), ...specRefs(route, groups)]),
  ];
}

/** Kinds that routing objects name, listed at most. */
const MAX_ROUTE_POLICY_KINDS = 2;

/**
 * The kinds the routing objects of the namespace name, listed where the named objects live: the objects on the
 * request path that act on every request. Named outright, they come before the guesses (relevance 3).
 */
export function routePolicyLists(snapshot: ClusterSnapshot, namespace: string): WantedList[] {
  const wanted = new Map<string, WantedList>();
  for (const ref of routePolicyRefs(snapshot)) {
    if (ref.route.namespace !== namespace) continue;
    const { namespaced: _, ...resource } = ref.resource;
    const key = `${resource.group}/${resource.plural}@${ref.namespace}`;
    if (!wanted.has(key))
      wanted.set(key, {
        resource,
        namespace: ref.namespace,
        why: `${ref.route.kind} ${ref.route.name} names ${resource.kind} objects (${ref.key}): they act on its requests`,
        relevance: 3,
      });
  }
  return [...wanted.values()].slice(0, MAX_ROUTE_POLICY_KINDS);
}

/** A policy object read that a routing object names, with the routing object. */
export interface NamedPolicy {
  object: CustomObject;
  route: EntityRef;
  key: string;
  scope?: unknown[];
}

/** The policy objects read that the routing objects name. */
export function namedPolicies(snapshot: ClusterSnapshot): NamedPolicy[] {
  const found = new Map<string, NamedPolicy>();
  for (const ref of routePolicyRefs(snapshot)) {
    const object = snapshot.customObjects.find(
      (o) =>
        o.kind === ref.resource.kind &&
        o.apiVersion.split('/')[0] === ref.resource.group &&
        o.metadata?.namespace === ref.namespace &&
        ref.names.includes(o.metadata?.name ?? ''),
    );
    if (!object) continue;
    const key = `${refKey(refOf(object.kind, object.metadata))}<${refKey(ref.route)}`;
    if (!found.has(key))
      found.set(key, { object, route: ref.route, key: ref.key, ...(ref.scope ? { scope: ref.scope } : {}) });
  }
  return [...found.values()];
}

/**
 * The Services a routing object sends to (or the Service itself), and the workloads behind them: of a router's own
 * route, those of the innermost part of its spec around the reference that names any (the rule or backend entry the
 * policy is set on), else of the whole route.
 */
export function routeBackends(
  route: EntityRef,
  snapshot: ClusterSnapshot,
  graph: EvidenceGraph,
  scope: unknown[] = [],
): EntityRef[] {
  const namespace = route.namespace ?? '';
  const names = new Set<string>();
  if (route.kind === 'Service') names.add(route.name);
  const ingress = route.kind === 'Ingress' ? snapshot.ingresses.find((i) => sameName(i.metadata, route)) : undefined;
  if (ingress) {
    const backend = ingress.spec?.defaultBackend?.service?.name;
    if (backend) names.add(backend);
    for (const rule of ingress.spec?.rules ?? [])
      for (const path of rule.http?.paths ?? []) if (path.backend?.service?.name) names.add(path.backend.service.name);
  }
  for (const httpRoute of snapshot.httpRoutes.filter(
    (r) => (r.kind ?? 'HTTPRoute') === route.kind && sameName(r.metadata, route),
  ))
    for (const rule of httpRoute.spec?.rules ?? [])
      for (const backend of rule.backendRefs ?? [])
        if ((backend.kind ?? 'Service') === 'Service') names.add(backend.name);
  const custom = snapshot.customObjects.find((o) => o.kind === route.kind && sameName(o.metadata, route));
  if (custom) for (const name of customBackends(custom, snapshot, scope)) names.add(name);
  const refs = new Map<string, EntityRef>();
  for (const name of names) {
    const service = graph.service(namespace, name);
    if (!service) continue;
    for (const ref of [refOf('Service', service.metadata), ...graph.workloadsBehind(service)])
      refs.set(refKey(ref), ref);
  }
  return [...refs.values()];
}

/** The Services of the namespace a router's route sends to: within the innermost scope naming any, else anywhere in it. */
function customBackends(route: CustomObject, snapshot: ClusterSnapshot, scope: unknown[]): string[] {
  const namespace = route.metadata?.namespace ?? '';
  const services = snapshot.services
    .filter((service) => service.metadata?.namespace === namespace)
    .map((service) => service.metadata?.name ?? '');
  for (const part of [...scope].reverse()) {
    const named = services.filter((name) => routesToService({ ...route, spec: part }, { name, namespace }));
    if (named.length > 0) return named;
  }
  return services.filter((name) => routesToService(route, { name, namespace }));
}

const sameName = (metadata: { name?: string; namespace?: string } | undefined, ref: EntityRef): boolean =>
  metadata?.name === ref.name && metadata?.namespace === ref.namespace;
