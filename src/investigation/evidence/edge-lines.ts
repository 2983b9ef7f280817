import type { Service } from './graph.ts';
import { looksLikeError } from './log-line.ts';
import { logLinesOf, type PodLogLine } from './logs.ts';
import type { ClusterSnapshot } from './snapshot.ts';

type Pod = ClusterSnapshot['pods'][number];

// An access log's answer that users see as a failure: any 5xx, and 404 (no route, or a backend without the path).
const FAILED_ANSWER = /HTTP\/[\d.]+"?\s+(?:5\d\d|404)\b|\bstatus[=:"\s]+(?:5\d\d|404)\b/i;

/** Whether an edge's line reports a failure: its words, or the status code it answered. */
export const edgeFailure = (text: string): boolean => looksLikeError(text) || FAILED_ANSWER.test(text);

/**
 * How routers and proxies name a backend Service in their logs: its cluster DNS name (`svc.ns`), ingress-nginx's
 * upstream `[ns-svc-port]`, Kong's `ns.svc.port`, Contour's `ns/svc/port`, Envoy's `ns_svc_port` and
 * `outbound|port||svc.ns.svc…` — and its cluster IP.
 */
export function backendNames(service: Service): string[] {
  const name = service.metadata?.name ?? '';
  const namespace = service.metadata?.namespace ?? '';
  if (!name || !namespace) return [];
  const ports = (service.spec?.ports ?? []).map((port) => port.port);
  const ip = service.spec?.clusterIP;
  return [
    `${name}.${namespace}`,
    `${namespace}.${name}.`,
    `${namespace}/${name}/`,
    `${namespace}_${name}_`,
    ...ports.map((port) => `${namespace}-${name}-${port}`),
    ...(ip && ip !== 'None' ? [`${ip}:`] : []),
  ];
}

/**
 * The failures that pods off the symptom's path (an ingress controller, a gateway, a proxy in another namespace) log
 * about the path's Services and pods: how the edge words what users see, which is what a suspect must explain. A line
 * concerns the path when it names one of its Services as routers do, a pod address of the path (`ip:port`), or a host
 * that an Ingress routes to one of its Services.
 */
export function edgeLinesAbout(
  snapshot: ClusterSnapshot,
  services: Service[],
  pods: Pod[],
  onPath: (namespace: string, pod: string) => boolean,
): PodLogLine[] {
  const needles = [
    ...services.flatMap(backendNames),
    ...pods.flatMap((pod) => (pod.status?.podIP ? [`${pod.status.podIP}:`] : [])),
    ...routedHosts(snapshot, services).map((host) => `${host}`),
  ].map((needle) => needle.toLowerCase());
  if (needles.length === 0) return [];
  return snapshot.logs
    .filter((log) => !onPath(log.namespace, log.pod))
    .flatMap((log) =>
      logLinesOf(snapshot, log.namespace, [log.pod], (other) => other === log).filter((line) => {
        if (!edgeFailure(line.text)) return false;
        const lower = line.text.toLowerCase();
        return needles.some((needle) => lower.includes(needle));
      }),
    );
}

/** Hosts the Ingresses read route to one of the Services. */
function routedHosts(snapshot: ClusterSnapshot, services: Service[]): string[] {
  const wanted = new Set(services.map((s) => `${s.metadata?.namespace}/${s.metadata?.name}`));
  return snapshot.ingresses.flatMap((ingress) =>
    (ingress.spec?.rules ?? [])
      .filter((rule) =>
        (rule.http?.paths ?? []).some((path) =>
          wanted.has(`${ingress.metadata?.namespace}/${path.backend?.service?.name}`),
        ),
      )
      .flatMap((rule) => (rule.host ? [rule.host] : [])),
  );
}
