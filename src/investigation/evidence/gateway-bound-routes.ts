import type { Alert } from '../../alert/alert.ts';
import { discoverApis } from '../tools/discover-apis.ts';
import { listObjects } from '../tools/list-objects.ts';
import type { ToolContext } from '../tools/tool.ts';
import { hostMatches, type IngressRoute, mentionedHosts } from './ingress-routes.ts';
import { servedVersion, type VirtualService } from './routing-objects.ts';
import type { ClusterSnapshot } from './snapshot.ts';

/**
 * A mesh's ingress gateway is a proxy that routes by host: what it sends a host to is written in mesh routes bound to
 * it (a VirtualService naming a Gateway in `gateways`), which the application's team keeps in its own namespace. An
 * alert raised where the gateway runs, about a host, is about the application such a route sends the host to: the
 * route's catch-all destination (its last rule without a match, else its first), in the route's namespace unless the
 * destination's DNS name says another. Routes for the mesh alone (no gateway bound) carry no traffic from the edge.
 */
function gatewayBoundRoutes(text: string, routes: VirtualService[]): IngressRoute[] {
  const found: IngressRoute[] = [];
  for (const { host } of mentionedHosts(text)) {
    for (const route of routes) {
      const gateways = ((route.spec as { gateways?: string[] } | undefined)?.gateways ?? []).filter(
        (gateway) => gateway !== 'mesh',
      );
      if (gateways.length === 0 || !(route.spec?.hosts ?? []).some((name) => hostMatches(name, host))) continue;
      const rules = route.spec?.http ?? [];
      const rule = rules.find((r) => (r.match ?? []).length === 0) ?? rules[0];
      const destination = rule?.route?.[0]?.destination.host;
      const [service, namespace] = (destination ?? '').split('.');
      found.push({
        host,
        namespace: namespace || (route.metadata?.namespace ?? ''),
        ingress: route.metadata?.name ?? '',
        kind: 'VirtualService',
        ...(service ? { service } : {}),
      });
    }
  }
  return found;
}

/** Where the gateway-bound mesh routes send a host the alert mentions, and what reading that cost. */
export interface GatewayHop {
  route?: IngressRoute;
  apiGroups?: ClusterSnapshot['apiGroups'];
  requests: number;
}

/**
 * The one namespace other than the labelled one that gateway-bound mesh routes send a host of the alert's text to
 * (discovery when not done yet, then the cluster's VirtualServices: 1–2 requests; none when the text names no host).
 */
export async function readGatewayHop(
  alert: Alert,
  text: string,
  labelled: string,
  known: ClusterSnapshot['apiGroups'] | undefined,
  base: Omit<ToolContext, 'reason'>,
): Promise<GatewayHop> {
  if (mentionedHosts(text).length === 0) return { requests: 0 };
  const host = mentionedHosts(text)[0]?.host;
  let requests = 0;
  let apiGroups = known;
  if (!apiGroups) {
    requests++;
    try {
      apiGroups = await discoverApis.run(
        {},
        { ...base, reason: `the alert is about ${host}: whether a mesh gateway routes it` },
      );
    } catch {
      return { requests };
    }
  }
  const read = await readGatewayBoundRoutes(
    text,
    apiGroups,
    base,
    `${alert.title}: which mesh route bound to a gateway serves ${host}, and where`,
  );
  requests += read.requests;
  const { routes } = read;
  const namespaces = [...new Set(routes.map((route) => route.namespace))];
  const route = routes.find((r) => r.namespace !== labelled);
  return namespaces.length === 1 && route ? { route, apiGroups, requests } : { apiGroups, requests };
}

/**
 * The gateway-bound mesh routes of the cluster that send a host of the text somewhere, when discovery says the mesh's
 * route kind is served (1 request: its list cluster-wide; none when not served or the text names no host). The list
 * read is kept (`listed`): the collection takes the chosen namespace's part of it instead of asking again.
 */
export async function readGatewayBoundRoutes(
  text: string,
  apiGroups: ClusterSnapshot['apiGroups'] | undefined,
  base: Omit<ToolContext, 'reason'>,
  reason: string,
): Promise<{ routes: IngressRoute[]; requests: number; listed?: Awaited<ReturnType<typeof listObjects.run>> }> {
  const version = apiGroups ? servedVersion(apiGroups, 'VirtualService') : undefined;
  if (!version || mentionedHosts(text).length === 0) return { routes: [], requests: 0 };
  const listed = await listObjects
    .run({ kind: 'VirtualService', version, limit: 5000 }, { ...base, reason })
    .catch(() => undefined);
  const routes = gatewayBoundRoutes(text, (listed?.items ?? []) as VirtualService[]);
  return { routes, requests: listed?.requests ?? 1, ...(listed ? { listed } : {}) };
}
