import type { LogTarget } from './log-targets.ts';
import { appContainers, podControllers } from './peer-namespaces.ts';
import type { ClusterSnapshot } from './snapshot.ts';
import { recentRollouts, rolloutOwner } from './recent-rollouts.ts';

// Istio sends a call to a host its registry does not know into `BlackHoleCluster` when the mesh only lets registered
// hosts out (outboundTrafficPolicy REGISTRY_ONLY); Envoy logs the destination host beside it.
export const EGRESS_REFUSED = /BlackHoleCluster/;

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
