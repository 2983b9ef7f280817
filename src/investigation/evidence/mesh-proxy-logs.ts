import type { LogTarget } from './log-targets.ts';
import { appContainers, podControllers } from './peer-namespaces.ts';
import type { ClusterSnapshot } from './snapshot.ts';
import { recentRollouts, rolloutOwner } from './recent-rollouts.ts';

// Istio sends a call to a host its registry does not know into `BlackHoleCluster` when the mesh only lets registered
// hosts out (outboundTrafficPolicy REGISTRY_ONLY); Envoy logs the destination host beside it.
export const EGRESS_REFUSED = /BlackHoleCluster/;

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
    const own = new Set(appContainers(pod, controllers).map((c) => c.name));
    const running = new Set((pod.status?.containerStatuses ?? []).filter((s) => s.state?.running).map((s) => s.name));
    const proxy = (pod.spec?.containers ?? []).find((c) => !own.has(c.name) && running.has(c.name));
    if (!proxy || read.has(`${namespace}/${pod.metadata.name}/${proxy.name}`)) continue;
    targets.push({
      namespace,
      pod: pod.metadata.name,
      container: proxy.name,
      previous: false,
      why: `the proxy injected into ${rolloutOwner(rs)}, rolled out at ${rs.metadata?.creationTimestamp}: the calls out it refuses or fails`,
    });
  }
  return targets;
}
