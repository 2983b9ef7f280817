import type { ToolContext } from '../tools/tool.ts';
import { discoverApis } from '../tools/discover-apis.ts';
import { listCustomObjects } from '../tools/list-custom-objects.ts';
import type { CustomObject } from './custom-object.ts';
import { specStrings } from './governing-resources.ts';
import { hostNamesIn, serviceNameOf } from './hosts.ts';
import { pathMatch } from './route-paths.ts';
import { edgeWordsIn, routeKinds } from './route-kinds.ts';
import type { ServedGroup } from './routing-objects.ts';

/**
 * Users describe a failing part of a site by its path's words ("checkout fails", "can't log in at /account"), and a
 * router's route matches that path (`PathPrefix(\`/checkout\`)`, `prefix: /checkout`): when nothing else places the
 * alert, the route whose path carries a word of it names the namespace the failing part is served from.
 */

/** A route whose path carries a word of the alert. */
export interface PathWordRoute {
  /** Where the routed part is served: the namespace of the Service its spec sends to by cluster DNS, else its own. */
  namespace: string;
  kind: string;
  name: string;
  word: string;
  /** The Service it sends to, when its spec names one by cluster DNS (`<service>.<namespace>.svc`). */
  service?: string;
}

/**
 * Where a route sends its requests, when its spec names one Service by cluster DNS (`http://orders.shop.svc:8080`): a
 * central gateway keeps every API's route in its own namespace, and the part a user reports failing is served from
 * the backend's — the route's own namespace only holds the gateway.
 */
function backendOf(route: CustomObject): { namespace: string; service?: string } {
  const own = route.metadata?.namespace ?? '';
  const targets = new Map(
    specStrings(route.spec)
      .flatMap((value) => hostNamesIn(value))
      .filter((host) => /^[a-z0-9-]+\.[a-z0-9-]+\.svc(?:\.|$)/i.test(host))
      .flatMap((host) => {
        const target = serviceNameOf(host, own);
        return target ? [[`${target.namespace}/${target.name}`, target] as const] : [];
      }),
  );
  const [only, ...others] = [...targets.values()];
  return only && others.length === 0 ? { namespace: only.namespace, service: only.name } : { namespace: own };
}

/** Path segments that name no part of a site. */
export const GENERIC_SEGMENT =
  /^(?:api|apis|v\d+|static|assets|public|health|healthz|ready|readyz|live|livez|metrics|www)$/;

/** The words of the paths a route matches: segments of every `/a/b` written in its spec. */
function pathWords(route: CustomObject): string[] {
  const words = specStrings(route.spec).flatMap((value) =>
    [...value.matchAll(/(?:^|[\s`'"(])\/([a-z][a-z0-9-]{3,})/gi)].map((m) => (m[1] as string).toLowerCase()),
  );
  return [...new Set(words)].filter((word) => !GENERIC_SEGMENT.test(word));
}

/** The routes whose paths carry a word of the text (a whole word of it, of four letters or more). */
function routesByPathWord(text: string, routes: readonly CustomObject[]): PathWordRoute[] {
  const said = new Set(text.toLowerCase().match(/[a-z][a-z0-9-]{3,}/g) ?? []);
  return routes.flatMap((route) =>
    pathWords(route)
      .filter((word) => said.has(word))
      .slice(0, 1)
      .map((word) => ({
        ...backendOf(route),
        kind: route.kind,
        name: route.metadata?.name ?? '',
        word,
      })),
  );
}

// A request path the text writes (`/v1/parks/overview`): two segments or more, so that a lone `/` or a unit (`km/h`) is none.
const WRITTEN_PATH = /(?:^|[\s`'"(:])(\/[a-z0-9][a-z0-9._-]*(?:\/[a-z0-9][a-z0-9._-]*)+)/gi;

/** The request paths the text writes (two segments or more), each once. */
export const writtenPaths = (text: string): string[] => [
  ...new Set([...text.matchAll(WRITTEN_PATH)].map((m) => m[1] as string)),
];

/**
 * The routes that serve a request path the text writes, when its words name none (`/v1/*` serves `/v1/parks/overview`):
 * those whose prefix covers it longest, as a router picks — only when they all live in one namespace, and never by the
 * bare `/` every site serves.
 */
export function routesByWrittenPath(text: string, routes: readonly CustomObject[]): PathWordRoute[] {
  for (const path of writtenPaths(text)) {
    const scored = routes.map((route) => ({ route, score: pathMatch(route, path) }));
    const best = Math.max(-1, ...scored.map((s) => s.score));
    if (best <= 1) continue;
    const serving = scored.filter((s) => s.score === best).map((s) => s.route);
    if (new Set(serving.map((route) => route.metadata?.namespace)).size !== 1) continue;
    return serving.map((route) => ({
      ...backendOf(route),
      kind: route.kind,
      name: route.metadata?.name ?? '',
      word: path.slice(1),
    }));
  }
  return [];
}

/** Routers' own route kinds read cluster-wide to place an alert by its path words. */
const MAX_ROUTER_KINDS = 2;

/**
 * When the alert speaks of the edge (an HTTP answer, a gateway) and nothing else placed it: API discovery (unless the
 * look already asked it) and the routers' own route kinds cluster-wide (at most 2 requests), for the routes whose
 * paths carry its words.
 */
export async function readRoutesByPathWord(
  text: string,
  base: Omit<ToolContext, 'reason'>,
  discovered?: ServedGroup[],
): Promise<{ routes: PathWordRoute[]; requests: number; apiGroups?: ServedGroup[] }> {
  if (!edgeWordsIn(text)) return { routes: [], requests: 0 };
  const reason =
    'the alert speaks of HTTP answers or routers and names nothing found: the routes whose paths carry its words';
  let groups: ServedGroup[];
  try {
    groups = discovered ?? (await discoverApis.run({}, { ...base, reason }));
  } catch {
    return { routes: [], requests: 1 };
  }
  const asked = discovered ? 0 : 1;
  const kinds = routeKinds(groups, MAX_ROUTER_KINDS);
  const lists = await Promise.all(
    kinds.map((kind) =>
      listCustomObjects
        .run({ group: kind.group, version: kind.version, plural: kind.plural }, { ...base, reason })
        .catch(() => undefined),
    ),
  );
  const routes = lists.flatMap((list) => (list?.items ?? []) as CustomObject[]);
  const byWord = routesByPathWord(text, routes);
  const found = byWord.length > 0 ? byWord : routesByWrittenPath(text, routes);
  return { routes: found, requests: asked + kinds.length, apiGroups: groups };
}
