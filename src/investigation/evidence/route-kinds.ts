import type { Alert } from '../../alert/alert.ts';
import { alertText } from '../focus.ts';
import { type CustomObject, servedCustomKinds } from './custom-object.ts';
import { specStrings } from './governing-resources.ts';
import { looksClusterInternal } from './hosts.ts';
import { mentionedHosts } from './ingress-routes.ts';
import type { ServedGroup } from './routing-objects.ts';

/**
 * Routers that keep their routes in custom resources of their own (APISIX's ApisixRoute, Traefik's IngressRoute,
 * Contour's HTTPProxy, Emissary's Mapping, NGINX's VirtualServer, an API gateway's ApiDefinition: a listen path and
 * the target it proxies to…): found by what discovery says their kind is, never by a product list. Istio's
 * VirtualService and the Gateway API's HTTPRoute are read typed (routing-objects.ts).
 */
const ROUTE_KIND = /(?:Route|Mapping|HTTPProxy|VirtualServer|ApiDefinition)$/;
/**
 * A router's backend kind: the object its routes point at, which names the Service and port to send to (Gloo's or
 * APISIX's `…Upstream`). A route's requests go nowhere when it names a port the Service does not expose.
 */
const BACKEND_KIND = /Upstream$/;
const READ_TYPED = new Set(['VirtualService', 'HTTPRoute']);

export interface RouteKind {
  group: string;
  version: string;
  plural: string;
  kind: string;
}

/** The namespaced route kinds of routers the cluster serves (aggregated discovery), at most `max`. */
export function routeKinds(groups: readonly ServedGroup[], max: number): RouteKind[] {
  return namespacedKinds(groups, (kind) => ROUTE_KIND.test(kind) && !READ_TYPED.has(kind), max);
}

/** The namespaced kinds of extension groups (aggregated discovery) whose kind `matches`, at most `max`. */
function namespacedKinds(groups: readonly ServedGroup[], matches: (kind: string) => boolean, max: number): RouteKind[] {
  return servedCustomKinds(groups, (r) => r.namespaced && matches(r.kind))
    .slice(0, max)
    .map(({ group, version, plural, kind }) => ({ group, version, plural, kind }));
}

/** Whether a kind read is a router's backend, naming the Service and port its routes send to. */
export const isBackendKind = (kind: string): boolean => BACKEND_KIND.test(kind);

/** The namespaced backend kinds of routers the cluster serves (aggregated discovery), at most `max`. */
export function backendKinds(groups: readonly ServedGroup[], max: number): RouteKind[] {
  return namespacedKinds(groups, isBackendKind, max);
}

/** Whether a kind read is a router's route (so a change of it is judged as a route's). */
export const isRouteKind = (kind: string): boolean => ROUTE_KIND.test(kind);

/**
 * Whether a route object sends traffic to the Service: its spec names it as routers do — by name (`serviceName:
 * quote`, `name: quote`), by cluster DNS name (`quote.ns`, `quote.ns.svc…`), with a port (`quote:8080`,
 * `quote.ns:8080`).
 */
export function routesToService(route: CustomObject, service: { name: string; namespace: string }): boolean {
  const { name, namespace } = service;
  const here = route.metadata?.namespace === namespace;
  return specStrings(route.spec).some((value) => {
    const host = value
      .toLowerCase()
      .replace(/^[a-z]+:\/\//, '')
      .replace(/:\d{1,5}(\/.*)?$/, '');
    if (host === `${name}.${namespace}` || host.startsWith(`${name}.${namespace}.svc`)) return true;
    return here && host === name;
  });
}

// What users get through the edge: HTTP answers (a status code or class), a route, an upstream, a gateway or proxy.
const EDGE_WORDS =
  /\b[45]\d\d\b|\b[45]xx\b|bad gateway|gateway timeout|too many requests|upstream|\broutes?\b|ingress|gateway|proxy/i;

/** Whether a text speaks of what users get through the edge (an HTTP answer, a route, a gateway or proxy). */
export const edgeWordsIn = (text: string): boolean => EDGE_WORDS.test(text);

/**
 * Whether the alert speaks of the edge — its words, or its labels' names and values, or a host outside the cluster it
 * names (users reach a host through a router): only then are routers' own route kinds worth a request each (as
 * Ingresses are read when the alert names a host).
 */
export function speaksOfTheEdge(alert: Alert): boolean {
  const labels = Object.entries(alert.labels).map(([name, value]) => `${name}=${value}`);
  const text = alertText(alert);
  return (
    EDGE_WORDS.test([text, ...labels].join('\n')) ||
    mentionedHosts(text).some(({ host }) => !looksClusterInternal(host))
  );
}
