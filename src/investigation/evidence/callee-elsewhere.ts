import { parseLogLine } from './log-line.ts';
import type { ClusterSnapshot } from './snapshot.ts';

/**
 * A caller's errors may name its callee by the Service's bare name (`GET ledger-api /v1/entries failed: 503`), as a
 * service mesh, an API gateway or the application's own client configuration calls it, while no Service of the caller's
 * namespace has that name: the Service of that name in another namespace is the callee, and where to look next. Only
 * dashed tokens count (an identifier someone configured, not a word of the message), never the caller's own objects.
 */

// A dashed Kubernetes name: letters first, words of letters and digits, no dots (hosts with dots are resolved as DNS).
const DASHED = /(?<![\w.-])[a-z][a-z0-9]*(?:-[a-z0-9]+)+(?![\w.-])/g;

/** Dashed names the namespace's error lines give that name none of its own objects (Services, workloads, pods). */
export function unresolvedCallees(snapshot: ClusterSnapshot, namespace: string): string[] {
  const own = new Set(
    [
      namespace,
      ...[...snapshot.services, ...snapshot.deployments, ...snapshot.statefulSets, ...snapshot.daemonSets]
        .filter((object) => object.metadata?.namespace === namespace)
        .map((object) => object.metadata?.name ?? ''),
    ].map((name) => name.toLowerCase()),
  );
  const pods = snapshot.pods
    .filter((pod) => pod.metadata?.namespace === namespace)
    .map((pod) => pod.metadata?.name?.toLowerCase() ?? '');
  const counts = new Map<string, number>();
  for (const log of snapshot.logs.filter((candidate) => candidate.namespace === namespace)) {
    for (const raw of log.lines) {
      for (const token of parseLogLine(raw).text.toLowerCase().match(DASHED) ?? []) {
        if (own.has(token) || pods.some((pod) => pod.startsWith(token))) continue;
        counts.set(token, (counts.get(token) ?? 0) + 1);
      }
    }
  }
  return [...counts].sort((a, b) => b[1] - a[1]).map(([token]) => token);
}

/**
 * The other namespace holding Services of the names given (`unresolvedCallees`, most named first): the first name
 * that exactly one other namespace has a Service of. Undefined when none, or when each is ambiguous.
 */
export function calleeHome(
  names: string[],
  services: ClusterSnapshot['services'],
  namespace: string,
): { namespace: string; service: string } | undefined {
  for (const name of names) {
    const homes = new Set(
      services
        .filter((service) => service.metadata?.name?.toLowerCase() === name && service.metadata.namespace !== namespace)
        .map((service) => service.metadata?.namespace ?? ''),
    );
    const [home] = [...homes];
    if (homes.size === 1 && home) return { namespace: home, service: name };
  }
  return undefined;
}
