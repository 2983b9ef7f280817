import type { HTTPRoute } from './routing-objects.ts';

/**
 * A router may name a route rather than a Service in its metrics: Envoy Gateway's cluster for a route's rule is
 * `httproute/<namespace>/<route>/rule/<index>`. A route is what sends requests on, and each of its rules names the
 * Services it sends them to (backendRefs): the rule the id numbers — or, with no number, the route itself when all its
 * rules send to one Service — names the Service behind the failing traffic. A backendRef of another kind (not a
 * Service) or in another namespace is no Service of the route's namespace, so none is named then.
 */
export function routeRuleService(id: string, route: string, routes: readonly HTTPRoute[]): string | undefined {
  const found = routes.find((candidate) => candidate.metadata?.name === route);
  const rules = found?.spec?.rules ?? [];
  const index = /(?:^|[/_.-])rule[/_.-]?(\d+)(?:$|[/_.:-])/i.exec(id)?.[1];
  const chosen = index !== undefined ? [rules[Number(index)]] : rules;
  const namespace = found?.metadata?.namespace;
  const services = new Set(
    chosen.flatMap((rule) =>
      (rule?.backendRefs ?? [])
        .filter((ref) => (ref.kind ?? 'Service') === 'Service' && (ref.namespace ?? namespace) === namespace)
        .map((ref) => ref.name),
    ),
  );
  return services.size === 1 ? [...services][0] : undefined;
}
