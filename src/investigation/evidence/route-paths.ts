/** A route object of any router's kind: only its spec is read. */
type Route = { spec?: unknown };

// Keys under which routers' own route kinds write the path a route matches: Emissary's Mapping `prefix`, Contour's
// HTTPProxy `conditions[].prefix`, a `path` or `pathPrefix` match, APISIX's `uris` (its ApisixRoute's `match.paths`),
// an API gateway's `listen_path` (the path an API definition listens on).
const PATH_KEYS = new Set(['prefix', 'path', 'paths', 'pathprefix', 'uri', 'uris', 'listenpath']);
// Keys naming the host a route serves; "*" there serves every host (Emissary's `hostname: "*"`).
const HOST_KEYS = new Set(['host', 'hostname', 'hosts', 'hostnames', 'fqdn']);
// A path written in a router's rule expression (Traefik's PathPrefix(`/img`), Path(`/healthz`)).
const PATH_RULE = /Path(?:Prefix)?\(\s*[`'"]([^`'"]+)[`'"]/g;

/** Every string of the spec with the key it is written under (an array's items under the array's key). */
function keyedStrings(value: unknown, key = ''): [string, string][] {
  if (typeof value === 'string') return [[key.toLowerCase(), value]];
  if (Array.isArray(value)) return value.flatMap((item) => keyedStrings(item, key));
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => keyedStrings(v, k));
  return [];
}

/** The path prefixes a router's route matches ('/img/', '/newsdesk/uploads/'), as its spec writes them. */
export function routePathPrefixes(route: Route): string[] {
  const strings = keyedStrings(route.spec);
  const written = strings
    .filter(([key, value]) => PATH_KEYS.has(key.replace(/[_-]/g, '')) && value.startsWith('/'))
    .map(([, value]) => value.replace(/\*+$/, ''));
  const ruled = strings.flatMap(([, value]) => [...value.matchAll(PATH_RULE)].map((m) => m[1] as string));
  return [...new Set([...written, ...ruled])];
}

/** Whether the route serves every host: a host field written "*". */
export const servesAnyHost = (route: Route): boolean =>
  keyedStrings(route.spec).some(([key, value]) => HOST_KEYS.has(key) && value.trim() === '*');

/**
 * How closely the route's path prefixes match a request path: the length of the longest prefix that covers it (a prefix
 * `/uploads/` covers `/uploads` too, as a path segment), 0 for a route that matches no path (every path), -1 when its
 * prefixes cover none.
 */
export function pathMatch(route: Route, path: string): number {
  const prefixes = routePathPrefixes(route);
  if (prefixes.length === 0) return 0;
  const bare = path.replace(/[?#].*$/, '');
  const covering = prefixes.filter((prefix) => bare.startsWith(prefix) || `${bare}/` === prefix);
  return covering.length === 0 ? -1 : Math.max(...covering.map((prefix) => prefix.length));
}

// A request as access logs and alerts write it (`POST /newsdesk/uploads/direct HTTP/1.1" 504`), then the status.
const REQUEST_ANSWER =
  /\b(?:GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS)\s+(\/[^\s'"`)>,?#]*)(?:\?\S*)?(?:\s+HTTP\/[\d.]+)?["']?\s+(5\d\d)\b/g;

/** The request paths the texts show answered with a server error (5xx), as access logs and alerts write them. */
export function failedRequestPaths(texts: string[]): string[] {
  return [...new Set(texts.flatMap((text) => [...text.matchAll(REQUEST_ANSWER)].map((m) => m[1] as string)))];
}

/**
 * Of routes to one backend, those the failing requests take: for each failing path, the routes whose prefix covers it
 * longest (a router picks the most specific prefix). All of them when no failing path is known or none is covered.
 */
export function routesTaken<T>(routes: T[], objectOf: (route: T) => Route, paths: string[]): T[] {
  const taken = new Set<T>();
  for (const path of paths) {
    const scored = routes.map((route) => ({ route, score: pathMatch(objectOf(route), path) }));
    const best = Math.max(-1, ...scored.map((s) => s.score));
    if (best <= 0) continue;
    for (const s of scored) if (s.score === best) taken.add(s.route);
  }
  return taken.size > 0 ? routes.filter((route) => taken.has(route)) : routes;
}
