import { configuredHosts, serviceNameOf } from './hosts.ts';
import type { NamespaceTrouble, WiderChoice } from './recent-trouble.ts';
import type { ClusterSnapshot } from './snapshot.ts';

type Pod = ClusterSnapshot['pods'][number];

/** The configuration values of a pod's containers that may name a host: env values, command and args. */
function configuredValues(pod: Pod): string[] {
  return [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])].flatMap((container) => [
    ...(container.env ?? []).map((variable) => variable.value ?? ''),
    ...(container.command ?? []),
    ...(container.args ?? []),
  ]);
}

/** Whether a pod's configuration names a Service of `namespace` by its cluster DNS name (`db.data.svc:6379`). */
export function callsInto(pod: Pod, namespace: string): boolean {
  const home = pod.metadata?.namespace ?? '';
  if (home === namespace) return false;
  return configuredValues(pod).some((value) =>
    configuredHosts(value).some((mention) => serviceNameOf(mention.host, home)?.namespace === namespace),
  );
}

/**
 * Nothing in the namespace examined fails (a queue, a store, a broker that runs fine while its work goes stale), and
 * the alert's words name no trouble elsewhere: the clients configured to call into it are what keeps its work moving.
 * Of the namespaces where trouble began, the only one whose pods in trouble (not running, not done) are configured to
 * reach a Service of the namespace examined is where to look next; two or more such say nothing about which one.
 */
export function troubleOfClients(
  trouble: Map<string, NamespaceTrouble>,
  unhealthy: readonly Pod[],
  examined: string,
): WiderChoice | undefined {
  const clients = new Set(
    unhealthy.filter((pod) => callsInto(pod, examined)).map((pod) => pod.metadata?.namespace ?? ''),
  );
  const troubled = [...trouble.values()].filter(
    (entry) => entry.namespace !== examined && clients.has(entry.namespace),
  );
  const [only] = troubled;
  return troubled.length === 1 && only ? { trouble: only, words: [] } : undefined;
}
