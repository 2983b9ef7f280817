import { discoverApis } from '../tools/discover-apis.ts';
import { listCustomObjects } from '../tools/list-custom-objects.ts';
import type { ToolContext } from '../tools/tool.ts';
import { mentionedHosts } from './ingress-routes.ts';
import type { Located } from './locate-namespace.ts';
import { routerRoutes } from './route-hostnames.ts';
import { type RouteKind, routeKinds } from './route-kinds.ts';
import type { ServedGroup } from './routing-objects.ts';
import { wordsOf } from './word-stem.ts';

/** Routers' own route kinds read to follow a host past the router's namespace. */
const MAX_ROUTER_KINDS = 2;

// Words of an API group that name no software (`traefik.io` → traefik; `apisix.apache.org` → apisix, apache).
const GENERIC_GROUP_WORD = /^(?:io|com|org|net|dev|sh|x|k8s|kubernetes|networking|gateway|api|apis|v\d+\w*)$/;

/** Whether a namespace's name carries a word of the route kind's group: the router's software runs there. */
const routerRunsIn = (namespace: string, kind: RouteKind): boolean => {
  const group = wordsOf(kind.group).filter((word) => word.length >= 4 && !GENERIC_GROUP_WORD.test(word));
  return wordsOf(namespace).some((word) => group.includes(word));
};

/**
 * The alert names only the namespace a router runs in (the edge measured the symptom: "slow through the Traefik
 * entrypoint") and mentions a host: the router is where the requests were seen, not what serves them. The route of the
 * router's own kind that serves the host (`Host(\`api.example.bike\`)`), in a namespace the alert does not name, says
 * where the application is. Discovery and at most two lists, only when a named namespace carries the words of a served
 * route kind's group; no place when no such route puts the host in one other namespace (the API groups discovery found
 * are handed on either way).
 */
export async function pastTheRouter(
  text: string,
  named: string[],
  base: Omit<ToolContext, 'reason'>,
): Promise<{ located?: Located; apiGroups?: ServedGroup[] }> {
  if (named.length === 0 || mentionedHosts(text).length === 0) return {};
  const reason = `the alert names the router's namespace (${named.join(', ')}) and a host: the route that serves the host, and where`;
  const groups = await discoverApis.run({}, { ...base, reason }).catch(() => undefined);
  // The collection asks discovery once: what was found here is handed on, whichever namespace is examined.
  const found = groups ? { apiGroups: groups } : {};
  const kinds = routeKinds(groups ?? [], MAX_ROUTER_KINDS).filter((kind) =>
    named.every((namespace) => routerRunsIn(namespace, kind)),
  );
  if (kinds.length === 0) return found;
  const lists = await Promise.all(
    kinds.map((kind) =>
      listCustomObjects
        .run({ group: kind.group, version: kind.version, plural: kind.plural }, { ...base, reason })
        .catch(() => undefined),
    ),
  );
  const routes = routerRoutes(
    text,
    lists.flatMap((list) => list?.items ?? []),
    [],
  ).filter((route) => !named.includes(route.namespace));
  const [route] = routes;
  if (!route || routes.some((other) => other.namespace !== route.namespace)) return found;
  const located: Located = {
    namespace: route.namespace,
    assumptions: [
      `namespace ${route.namespace}: its ${route.kind} ${route.ingress} serves ${route.host}, which the alert mentions; ${named.join(', ')}, which it names, is where the router runs`,
    ],
    requests: 1 + kinds.length,
    ...found,
  };
  return { located, ...found };
}
