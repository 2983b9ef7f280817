import type { EntityRef } from '../model.ts';
import { refKey } from '../model.ts';
import type { Reached } from '../ranking/reach.ts';
import type { EvidenceGraph } from './graph.ts';
import { looksLikeError } from './log-line.ts';
import type { LogTarget } from './log-targets.ts';
import { hasRestarted, isPodReady } from './pod-state.ts';
import { appContainers, podControllers } from './peer-namespaces.ts';
import type { ClusterSnapshot } from './snapshot.ts';
import { recentRollouts, rolloutOwner } from './recent-rollouts.ts';

type Pod = ClusterSnapshot['pods'][number];

// Istio sends a call to a host its registry does not know into `BlackHoleCluster` when the mesh only lets registered
// hosts out (outboundTrafficPolicy REGISTRY_ONLY); Envoy logs the destination host beside it.
export const EGRESS_REFUSED = /BlackHoleCluster/;

/**
 * What a mesh's or a gateway's data plane answers, in its own words, when a policy refuses a request: Istio's RBAC
 * filter (`RBAC: access denied` in the body the caller gets, `rbac_access_denied_matched_policy` in the access log),
 * Linkerd's inbound policy (`unauthorized request on route`, `unauthorized connection`), Envoy's JWT and external
 * authorization filters, and a listener that found no chain for a peer without the mesh's mutual TLS.
 */
export const DATA_PLANE_REFUSAL =
  /RBAC: access denied|rbac_access_denied|unauthorized (?:request on route|connection)|jwt_authn_access_denied|ext_authz_denied|filter_chain_not_found/i;

/** The running proxy beside the application of a pod of more than one container, if it has one. */
export function proxyContainerOf(pod: Pod, controllers: ReturnType<typeof podControllers>): string | undefined {
  if ((pod.spec?.containers ?? []).length < 2) return undefined;
  return runningProxy(pod, controllers, { byName: true })?.name;
}

/** A container whose name says it is the pod's proxy (`…-proxy`, `…-sidecar`, `envoy`). */
const PROXY_NAME = /proxy|sidecar|envoy/i;

/**
 * The log of the proxy a service mesh injected into the pods of a workload rolled out shortly before: the application
 * may say nothing about calls the mesh refuses (an egress policy that only lets registered hosts out), while its
 * proxy's access log names each refused destination. Newest rollout first, at most `max`, never a log already read.
 */
export function meshProxyTargets(snapshot: ClusterSnapshot, namespace: string, max: number): LogTarget[] {
  const controllers = podControllers(snapshot);
  const rolledOut = recentRollouts(snapshot, namespace);
  const read = new Set(snapshot.logs.map((log) => `${log.namespace}/${log.pod}/${log.container}`));
  const targets: LogTarget[] = [];
  for (const rs of rolledOut) {
    if (targets.length >= max) break;
    const pod = snapshot.pods.find(
      (p) =>
        p.metadata?.namespace === namespace && p.metadata.ownerReferences?.some((o) => o.name === rs.metadata?.name),
    );
    if (!pod?.metadata?.name) continue;
    const proxy = runningProxy(pod, controllers, { byName: false });
    if (!proxy || read.has(`${namespace}/${pod.metadata.name}/${proxy.name}`)) continue;
    const why = `the proxy injected into ${rolloutOwner(rs)}, rolled out at ${rs.metadata?.creationTimestamp}: the calls out it refuses or fails`;
    targets.push(proxyLog(namespace, pod.metadata.name, proxy.name, why));
  }
  return targets;
}

/**
 * The alert itself speaks of a refusal by rule (a 429, a 403, a 413): a mesh proxy answers those on the application's
 * behalf, and the application's own log says nothing of them. The log of the proxy injected into one pod of the
 * workload the alert points at (the symptom's, else one whose name the alert's words hint at) says what it refused,
 * and by which rule. At most `max`, never a log already read or planned.
 */
export function refusingProxyTargets(
  snapshot: ClusterSnapshot,
  namespace: string,
  pointedAt: (podName: string) => boolean,
  max: number,
  planned: readonly LogTarget[] = [],
): LogTarget[] {
  const controllers = podControllers(snapshot);
  const read = new Set([...snapshot.logs, ...planned].map((log) => `${log.namespace}/${log.pod}/${log.container}`));
  const targets: LogTarget[] = [];
  const candidates = snapshot.pods
    .filter((pod) => pod.metadata?.namespace === namespace && pointedAt(pod.metadata?.name ?? ''))
    .sort((a, b) => (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? ''));
  for (const pod of candidates) {
    if (targets.length >= max) break;
    // A proxy beside the application: a pod of one container is the application itself.
    if (!pod.metadata?.name || (pod.spec?.containers ?? []).length < 2) continue;
    const proxy = runningProxy(pod, controllers, { byName: true });
    if (!proxy || read.has(`${namespace}/${pod.metadata.name}/${proxy.name}`)) continue;
    const why = `the alert speaks of requests refused by rule: the proxy injected into ${pod.metadata.name} answers them on its behalf`;
    targets.push(proxyLog(namespace, pod.metadata.name, proxy.name, why));
  }
  return targets;
}

/**
 * The running container of a pod that is its proxy: one injected at admission (not in its controller's template), or
 * — `byName` — one declared beside the application under a name that says what it is (a sidecar proxy the deploy
 * tool adds to the template itself).
 */
function runningProxy(
  pod: ClusterSnapshot['pods'][number],
  controllers: ReturnType<typeof podControllers>,
  { byName }: { byName: boolean },
) {
  const own = new Set(appContainers(pod, controllers).map((c) => c.name));
  const running = new Set((pod.status?.containerStatuses ?? []).filter((s) => s.state?.running).map((s) => s.name));
  const containers = (pod.spec?.containers ?? []).filter((c) => running.has(c.name));
  return (
    containers.find((c) => !own.has(c.name)) ?? (byName ? containers.find((c) => PROXY_NAME.test(c.name)) : undefined)
  );
}

/** The current log of a pod's proxy container. */
const proxyLog = (namespace: string, pod: string, container: string, why: string): LogTarget => ({
  namespace,
  pod,
  container,
  previous: false,
  why,
});

/**
 * A server the trouble points at — the symptom's own workload, or one that a workload on the symptom's path calls and
 * logs errors about — runs ready and unrestarted, and its application's log read holds no error line: requests refused
 * before they reach it leave no trace there. A proxy beside it (a mesh's sidecar, injected or declared) admits or
 * refuses every request on its behalf, by the authentication and authorization policies that select its pods, and its
 * own log says what it refused and why (a 403 of an authorization rule, a connection it reset for want of the mesh's
 * identity). One pod's proxy per such server, nearest the symptom first, at most `max`, never a log already read.
 */
export function quietServerProxyTargets(
  snapshot: ClusterSnapshot,
  graph: EvidenceGraph,
  reached: readonly Reached[],
  symptomOwn: ReadonlySet<string>,
  max: number,
): LogTarget[] {
  const controllers = podControllers(snapshot);
  const read = new Set(snapshot.logs.map((log) => `${log.namespace}/${log.pod}/${log.container}`));
  const logsOf = (pod: Pod) =>
    snapshot.logs.filter((log) => log.namespace === pod.metadata?.namespace && log.pod === pod.metadata?.name);
  const errorText = (ref: EntityRef) =>
    graph
      .podsOf(ref)
      .flatMap((pod) => logsOf(pod).flatMap((log) => log.lines.filter(looksLikeError)))
      .join('\n');
  // The workloads that workloads on the path call and name in their error lines (by their Service's name, as a host).
  const called = new Set(
    reached
      .filter(({ ref }) => ref.kind !== 'Service')
      .flatMap(({ ref }) => {
        const text = errorText(ref);
        return text ? graph.dependenciesOf(ref).filter(({ to }) => namesHost(text, to.name)) : [];
      })
      .flatMap(({ to }) => {
        const service = to.kind === 'Service' ? graph.service(to.namespace ?? '', to.name) : undefined;
        return service ? graph.workloadsBehind(service) : [to];
      })
      .map(refKey),
  );
  const targets: LogTarget[] = [];
  for (const { ref } of [...reached].sort((a, b) => a.path.length - b.path.length)) {
    if (targets.length >= max) break;
    if (ref.kind === 'Service' || !(symptomOwn.has(refKey(ref)) || called.has(refKey(ref)))) continue;
    const pods = graph.podsOf(ref);
    if (pods.length === 0 || !pods.every((pod) => isPodReady(pod) && !hasRestarted(pod))) continue;
    const proxied = pods
      .filter((pod) => (pod.spec?.containers ?? []).length > 1)
      .map((pod) => ({ pod, proxy: runningProxy(pod, controllers, { byName: true }) }))
      .filter((entry): entry is { pod: Pod; proxy: NonNullable<typeof entry.proxy> } => entry.proxy !== undefined);
    if (proxied.length === 0) continue;
    const proxyNames = new Set(proxied.map(({ proxy }) => proxy.name));
    const appLogs = pods.flatMap(logsOf).filter((log) => !proxyNames.has(log.container));
    // Its application was heard and says nothing wrong; a proxy already heard needs no second read.
    if (appLogs.length === 0 || appLogs.some((log) => log.lines.some(looksLikeError))) continue;
    if (pods.flatMap(logsOf).some((log) => proxyNames.has(log.container))) continue;
    const [first] = proxied.sort((a, b) => (a.pod.metadata?.name ?? '').localeCompare(b.pod.metadata?.name ?? ''));
    const name = first?.pod.metadata?.name;
    const namespace = first?.pod.metadata?.namespace;
    if (!first || !name || !namespace || read.has(`${namespace}/${name}/${first.proxy.name}`)) continue;
    const why = `${ref.kind} ${ref.name} runs ready and its application logs no error where the trouble points at it: the proxy beside it admits or refuses requests on its behalf`;
    targets.push(proxyLog(namespace, name, first.proxy.name, why));
  }
  return targets;
}

/** Whether a text names `name` as a whole host or word (`http://ledger:8080`, `ledger.ns.svc`), not inside another. */
function namesHost(text: string, name: string): boolean {
  const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(?<![\\w-])${escaped}(?![\\w-])`).test(text);
}
