import { hostMatches, type IngressRoute, mentionedHosts } from './ingress-routes.ts';
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
