import { controllerPods } from './ingress-controller.ts';
import type { LogTarget } from './log-targets.ts';
import { isRouteKind } from './route-kinds.ts';
import { namedPolicies, ownLabels } from './route-policies.ts';
import type { ClusterSnapshot } from './snapshot.ts';

type Pod = ClusterSnapshot['pods'][number];

/**
 * The edge proxy in front of the routes read answers for the application when a policy it applies bites (429 of a rate
 * limit, 401/403 of an auth plugin, 502 of a failed upstream handshake): its own log says so when the application's is
 * silent. It is found by what the routes say of it, never by a product list: the class the Ingresses name, and the own
 * label of the API group its routes and the policies they name belong to (the chart that installs a router labels its
 * pods with the product's name, `app.kubernetes.io/name`).
 */
const NAME_LABELS = ['app.kubernetes.io/name', 'app'];
const LEGACY_CLASS = 'kubernetes.io/ingress.class';

/** What the routes read call the router in front of them: Ingress classes, and the own labels of routers' groups. */
function routerWords(snapshot: ClusterSnapshot): string[] {
  const classes = snapshot.ingresses.map(
    (ingress) => ingress.spec?.ingressClassName ?? ingress.metadata?.annotations?.[LEGACY_CLASS] ?? '',
  );
  const groups = [
    ...snapshot.customObjects.filter((object) => isRouteKind(object.kind)).map((route) => route.apiVersion),
    ...namedPolicies(snapshot).map(({ object }) => object.apiVersion),
  ].map((apiVersion) => apiVersion.split('/')[0] ?? '');
  const words = [...classes, ...groups.flatMap((group) => ownLabels(group).slice(0, 1))];
  return [...new Set(words.filter((word) => /^[a-z0-9][a-z0-9-]{2,}$/.test(word)))];
}

/** The edge proxy's pods read: the Ingress controller's (through its class), or those named by a router word. */
export function edgeProxyPods(snapshot: ClusterSnapshot): Pod[] {
  const words = new Set(routerWords(snapshot));
  const named = snapshot.pods.filter((pod) =>
    NAME_LABELS.some((label) => words.has(pod.metadata?.labels?.[label] ?? '')),
  );
  const pods = new Map<string, Pod>();
  for (const pod of [...controllerPods(snapshot), ...named])
    pods.set(`${pod.metadata?.namespace}/${pod.metadata?.name}`, pod);
  return [...pods.values()];
}

/** The label selector that finds the edge proxy's pods in any namespace, or none when the routes name no router. */
export function edgeProxySelector(snapshot: ClusterSnapshot): string | undefined {
  const words = routerWords(snapshot);
  return words.length > 0 ? `${NAME_LABELS[0]} in (${words.join(',')})` : undefined;
}

/** Whether a log of the edge proxy was read. */
export const edgeProxyHeard = (snapshot: ClusterSnapshot): boolean => {
  const pods = new Set(edgeProxyPods(snapshot).map((pod) => `${pod.metadata?.namespace}/${pod.metadata?.name}`));
  return snapshot.logs.some((log) => pods.has(`${log.namespace}/${log.pod}`));
};

/** Edge proxy replicas whose logs are read: traffic is spread over them, and one may have restarted since. */
const MAX_PROXY_LOGS = 2;

/** The logs of running edge proxy pods, their first running container (the proxy; a controller beside it comes later). */
export function edgeProxyLogTargets(snapshot: ClusterSnapshot): LogTarget[] {
  return edgeProxyPods(snapshot)
    .filter((p) => p.status?.phase === 'Running')
    .slice(0, MAX_PROXY_LOGS)
    .flatMap((pod) => {
      const container =
        pod.status?.containerStatuses?.find((status) => status.state?.running)?.name ?? pod.spec?.containers?.[0]?.name;
      if (!pod.metadata?.name || !pod.metadata.namespace || !container) return [];
      return [
        {
          namespace: pod.metadata.namespace,
          pod: pod.metadata.name,
          container,
          previous: false,
          why: 'the proxy in front of the routes: what it answers for the policies the routes name (429, 401/403, 502)',
        },
      ];
    });
}

/** The lines the edge proxy's logs read hold: how it words what users meet on the routes. */
export function edgeProxyLines(snapshot: ClusterSnapshot): string[] {
  const pods = new Set(edgeProxyPods(snapshot).map((pod) => `${pod.metadata?.namespace}/${pod.metadata?.name}`));
  return snapshot.logs.filter((log) => pods.has(`${log.namespace}/${log.pod}`)).flatMap((log) => log.lines);
}
