import type { ClusterSnapshot } from './snapshot.ts';

// `dial tcp 10.96.61.9:6379: i/o timeout`, `connect to 10.0.4.7:5432 timed out`: an address and its port.
const ADDRESS = /\b(\d{1,3}(?:\.\d{1,3}){3}):\d{1,5}\b/g;

/**
 * The addresses that lines name (IPv4 with a port) which no Service read (cluster IP) and no pod read (pod IP) holds:
 * the peer's namespace is not among those read, and only reading more widely can tell what stands between.
 */
export function unplacedAddresses(lines: readonly string[], snapshot: ClusterSnapshot): string[] {
  const known = new Set<string>([
    ...snapshot.services.flatMap((service) => [service.spec?.clusterIP ?? '', ...(service.spec?.clusterIPs ?? [])]),
    ...snapshot.pods.map((pod) => pod.status?.podIP ?? ''),
    ...snapshot.nodes.flatMap((node) => (node.status?.addresses ?? []).map((address) => address.address)),
  ]);
  const named = lines.flatMap((line) => [...line.matchAll(ADDRESS)].map((match) => match[1] as string));
  return [...new Set(named)].filter((ip) => !known.has(ip));
}
