import { hostMatches, type IngressRoute, mentionedHosts, requestedPath } from './ingress-routes.ts';
import { pathMatch, routesTaken, servesAnyHost } from './route-paths.ts';
import type { CustomObject } from './custom-object.ts';
import { specStrings } from './governing-resources.ts';
import { routesToService } from './route-kinds.ts';
import type { HTTPRoute } from './routing-objects.ts';

/**
 * Where a host the text mentions enters the cluster through the Gateway API: the HTTPRoutes whose hostnames match it,
 * each with the Service its first rule sends to (a backendRef of kind Service, in the route's namespace unless it names
 * another). Users name hosts, not Services: a host served by a route is a firmer pointer than a word of the text.
 */
export function gatewayRoutes(text: string, routes: HTTPRoute[]): IngressRoute[] {
  const found: IngressRoute[] = [];
  for (const { host } of mentionedHosts(text)) {
    for (const route of routes) {
      if (!(route.spec?.hostnames ?? []).some((hostname) => hostMatches(hostname, host))) continue;
      const namespace = route.metadata?.namespace ?? '';
      const backend = (route.spec?.rules ?? [])
        .flatMap((rule) => rule.backendRefs ?? [])
        .find((ref) => (ref.kind ?? 'Service') === 'Service' && !ref.group);
      found.push({
        host,
        namespace: backend?.namespace ?? namespace,
        ingress: route.metadata?.name ?? '',
        kind: 'HTTPRoute',
        ...(backend ? { service: backend.name } : {}),
      });
    }
  }
  return found;
}

// A router's host rule written as an expression (Traefik's `Host(\`shop.example.io\`)`, `HostSNI(…)`).
const HOST_RULE = /Host(?:SNI)?\(\s*[`'"]([^`'"]+)[`'"]/g;

/** The hostnames a router's own route names anywhere in its spec: a value that is a host, or a host rule's argument. */
const routeHostnames = (route: CustomObject): string[] =>
  specStrings(route.spec).flatMap((value) => [
    value.trim().toLowerCase(),
    ...[...value.matchAll(HOST_RULE)].map((m) => (m[1] ?? '').toLowerCase()),
  ]);

/**
 * Where a host the text mentions enters the cluster through a router's own route kind (Contour's HTTPProxy
 * `virtualhost.fqdn`, Traefik's IngressRoute `Host(…)`, Emissary's Mapping `hostname`…): the route's namespace, and
 * the Service of that namespace its spec sends to, when one of the Services read is named there.
 */
export function routerRoutes(
  text: string,
  routes: CustomObject[],
  services: { namespace: string; name: string }[],
): IngressRoute[] {
  const found: IngressRoute[] = [];
  const asked = requestedPath(text);
  for (const { host, path: written } of mentionedHosts(text)) {
    const path = written || asked || '';
    // A route for every host (`hostname: "*"`) serves this one only through the path it matches: a prefix of the
    // path asked, not "/" (which would make it serve whatever host any text mentions).
    const serving = routes.filter(
      (route) =>
        routeHostnames(route).some((hostname) => hostMatches(hostname, host)) ||
        (path !== '' && servesAnyHost(route) && pathMatch(route, path) > 1),
    );
    // Of those, the router sends the path to the most specific prefix.
    for (const route of path ? routesTaken(serving, (r) => r, [path]) : serving) {
      const namespace = route.metadata?.namespace ?? '';
      const backend = services.find((service) => service.namespace === namespace && routesToService(route, service));
      found.push({
        host,
        namespace,
        ingress: route.metadata?.name ?? '',
        kind: route.kind ?? 'route',
        ...(backend ? { service: backend.name } : {}),
      });
    }
  }
  return found;
}
