import { serviceNameOf } from './hosts.ts';
import { GENERIC_SEGMENT } from './route-path-words.ts';
import type { ClusterSnapshot } from './snapshot.ts';

/**
 * A site is often one host whose route sends each path to its own Service (`/api/orders` to orders-api, the rest to the
 * web front). People name the site and then the part that fails ("Shop portal: order history blank"): the part is a
 * path word of one rule, and the Service that rule sends it to is where the failing requests go — not the front the
 * site's name picks out.
 */

/** One rule of a route: the path prefixes it matches and the Services of the route's namespace it sends them to. */
interface RoutedRule {
  paths: string[];
  services: string[];
}

/** A route of the namespace (a VirtualService, an Ingress or an HTTPRoute) as its rules. */
interface Route {
  kind: string;
  name: string;
  rules: RoutedRule[];
}

const local = (host: string, namespace: string): string[] => {
  const service = serviceNameOf(host, namespace);
  return service?.namespace === namespace ? [service.name] : [];
};

/** The routes of the namespace, each as its rules' paths and backends. */
function routesOf(snapshot: ClusterSnapshot, namespace: string): Route[] {
  const here = <T extends { metadata?: { namespace?: string } }>(objects: T[]) =>
    objects.filter((object) => object.metadata?.namespace === namespace);
  const mesh = here(snapshot.virtualServices).map((vs) => ({
    kind: 'VirtualService',
    name: vs.metadata?.name ?? '',
    rules: (vs.spec?.http ?? []).map((rule) => ({
      paths: (rule.match ?? []).flatMap((match) => {
        const uri = (match as { uri?: { prefix?: string; exact?: string } }).uri;
        return [uri?.prefix ?? uri?.exact ?? []].flat();
      }),
      services: (rule.route ?? []).flatMap((to) => local(to.destination.host, namespace)),
    })),
  }));
  const ingresses = here(snapshot.ingresses).map((ingress) => ({
    kind: 'Ingress',
    name: ingress.metadata?.name ?? '',
    rules: (ingress.spec?.rules ?? []).flatMap((rule) =>
      (rule.http?.paths ?? []).map((path) => ({
        paths: [path.path ?? '/'],
        services: [path.backend?.service?.name ?? []].flat(),
      })),
    ),
  }));
  const gateway = here(snapshot.httpRoutes).map((route) => ({
    kind: 'HTTPRoute',
    name: route.metadata?.name ?? '',
    rules: (route.spec?.rules ?? []).map((rule) => ({
      paths: ((rule as { matches?: { path?: { value?: string } }[] }).matches ?? []).flatMap((match) =>
        match.path?.value ? [match.path.value] : [],
      ),
      services: (rule.backendRefs ?? []).flatMap((ref) =>
        (ref.kind ?? 'Service') === 'Service' && (ref.namespace ?? namespace) === namespace ? [ref.name] : [],
      ),
    })),
  }));
  return [...mesh, ...ingresses, ...gateway];
}

/** The words of a rule's paths that may name a part of a site: segments of four letters or more, not `api`, `v1`… */
const pathWords = (paths: string[]): string[] =>
  paths.flatMap((path) =>
    path
      .toLowerCase()
      .split('/')
      .filter((segment) => /^[a-z][a-z0-9-]{3,}$/.test(segment) && !GENERIC_SEGMENT.test(segment)),
  );

export interface RoutedPart {
  service: string;
  route: { kind: string; name: string };
  path: string;
  word: string;
}

/**
 * The Service a route of the namespace sends the part of the site the text names to, when the Service the text names
 * is another backend of the same route: a rule of that route, not sending to it, matches a path whose word the text
 * uses (and the named Service's own name does not carry). Only when one Service answers.
 */
export function routedPartNamed(
  text: string,
  named: string,
  snapshot: ClusterSnapshot,
  namespace: string,
): RoutedPart | undefined {
  const said = new Set(text.toLowerCase().match(/[a-z][a-z0-9-]{3,}/g) ?? []);
  const own = new Set(named.toLowerCase().split('-'));
  const parts: RoutedPart[] = [];
  for (const route of routesOf(snapshot, namespace)) {
    if (!route.rules.some((rule) => rule.services.includes(named))) continue;
    for (const rule of route.rules) {
      const service = rule.services[0];
      if (!service || rule.services.includes(named)) continue;
      const word = pathWords(rule.paths).find((w) => said.has(w) && !own.has(w));
      const path = rule.paths.find((p) => word && p.toLowerCase().includes(word));
      if (word && path) parts.push({ service, route: { kind: route.kind, name: route.name }, path, word });
    }
  }
  return new Set(parts.map((part) => part.service)).size === 1 ? parts[0] : undefined;
}
