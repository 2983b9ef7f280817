import type { ClusterSnapshot } from './snapshot.ts';

/** Where a host (and path) the alert mentions enters the cluster: an Ingress rule and the Service it routes to. */
export interface IngressRoute {
  host: string;
  namespace: string;
  ingress: string;
  /** The routing object's kind when it is no Ingress (a Gateway API HTTPRoute). */
  kind?: string;
  /** The backend Service of the matching path, when the rule routes to a Service. */
  service?: string;
}

// `shop.example.io`, `https://api.example.com/v1/orders`: dot-separated labels ending in an alphabetic top-level label
// (version numbers such as 2.8.0 and abbreviations such as e.g. are not hosts).
const HOST = /(?:https?:\/\/)?((?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,24})(\/[^\s'"`)>,]*)?/gi;

/** Hosts, each with the URL path that follows it ('' when none), that the text mentions. */
export function mentionedHosts(text: string): { host: string; path: string }[] {
  return [...text.matchAll(HOST)].map((match) => ({ host: (match[1] ?? '').toLowerCase(), path: match[2] ?? '' }));
}

// A request written as an access log writes it (`POST /api/loads`): a method, then the path asked for.
const REQUEST = /\b(?:GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS)\s+(\/[^\s'"`)>,?#]*)/g;

/**
 * The one path the text writes as a request (`POST /api/loads`), when it writes one and only one: the path asked of a
 * host the text names apart from it ("posting fails: POST /api/loads … on board.example.net"). Two different paths
 * say nothing about which the host was asked.
 */
export function requestedPath(text: string): string | undefined {
  const paths = [...new Set([...text.matchAll(REQUEST)].map((match) => match[1] ?? ''))].filter(Boolean);
  return paths.length === 1 ? paths[0] : undefined;
}

/** A rule's host matches: exactly, or a wildcard rule (`*.example.io`) one label deep, as the Ingress API defines. */
export function hostMatches(rule: string, host: string): boolean {
  const wanted = rule.toLowerCase();
  if (!wanted.startsWith('*.')) return wanted === host;
  const rest = host.slice(host.indexOf('.') + 1);
  return host.includes('.') && rest === wanted.slice(2);
}

/**
 * The Ingress rules that route the hosts the text mentions: for each, the backend Service of the longest path that
 * prefixes the mentioned path (the path the text writes as a request when the host has none; else "/"; the rule's
 * first path when none prefixes it).
 */
export function ingressRoutes(text: string, ingresses: ClusterSnapshot['ingresses']): IngressRoute[] {
  const routes: IngressRoute[] = [];
  const asked = requestedPath(text);
  for (const { host, path: written } of mentionedHosts(text)) {
    // A host written without a path was asked the path the text writes as a request, when it writes one.
    const path = written || asked || '';
    for (const ingress of ingresses) {
      for (const rule of ingress.spec?.rules ?? []) {
        if (!rule.host || !hostMatches(rule.host, host)) continue;
        // A host named without a path is a request for "/": the path that prefixes it, as the controller routes it.
        const requested = path || '/';
        const paths = [...(rule.http?.paths ?? [])]
          .filter((candidate) => requested.startsWith(candidate.path ?? '/'))
          .sort((a, b) => (b.path ?? '/').length - (a.path ?? '/').length);
        const service =
          (paths[0] ?? (path ? undefined : rule.http?.paths?.[0]))?.backend?.service?.name ??
          ingress.spec?.defaultBackend?.service?.name;
        routes.push({
          host,
          namespace: ingress.metadata?.namespace ?? '',
          ingress: ingress.metadata?.name ?? '',
          ...(service ? { service } : {}),
        });
      }
    }
  }
  return routes;
}

/** Whether a rule's path covers the request path: a prefix of it ending where a segment does (`/a` covers `/a/b`). */
const covers = (rulePath: string, path: string): boolean => {
  const prefix = rulePath.replace(/\/+$/, '');
  return path === prefix || path.startsWith(`${prefix}/`);
};

/**
 * The Ingress rules that serve a request path the text writes (`HTTP 5xx from /claims/api`), whatever their host: for
 * each path, the rules whose path covers it longest, as a controller picks — never by the bare `/` every site serves,
 * and only when they all live in one namespace (an Ingress routes only to Services of its own).
 */
export function ingressesServingPath(paths: string[], ingresses: ClusterSnapshot['ingresses']): IngressRoute[] {
  for (const path of paths) {
    const serving = ingresses.flatMap((ingress) =>
      (ingress.spec?.rules ?? []).flatMap((rule) =>
        (rule.http?.paths ?? []).flatMap((candidate) => {
          const rulePath = candidate.path ?? '/';
          return rulePath.length > 1 && covers(rulePath, path)
            ? [{ ingress, host: rule.host ?? '', length: rulePath.length, service: candidate.backend?.service?.name }]
            : [];
        }),
      ),
    );
    const best = Math.max(0, ...serving.map((s) => s.length));
    const chosen = serving.filter((s) => s.length === best);
    if (chosen.length === 0 || new Set(chosen.map((s) => s.ingress.metadata?.namespace)).size !== 1) continue;
    return chosen.map(({ ingress, host, service }) => ({
      host,
      namespace: ingress.metadata?.namespace ?? '',
      ingress: ingress.metadata?.name ?? '',
      ...(service ? { service } : {}),
    }));
  }
  return [];
}
