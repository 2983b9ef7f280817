import { lastDistinct, type PodLogLine } from './logs.ts';
import { parseLogLine } from './log-line.ts';
import type { ClusterSnapshot } from './snapshot.ts';

/**
 * A server's words for a client it turned away at the door (a TLS handshake, an authentication), written beside the
 * client's address: the server is the receiving side, the client the one that changed.
 */
const CLIENT_REFUSED =
  /failed authentication|authentication failed|handshake failed|ssl handshake|tls handshake error|bad certificate|unknown (ca|certificate)|access denied|login failed|unauthori[sz]ed/i;
const IPV4 = /(?<![\d.])(\d{1,3}(?:\.\d{1,3}){3})(?![\d.])/g;
// An address alone, not `ip:port`: a server writes its own listener as address and port (`channelId=10.0.0.5:9093-…`),
// so a bare address is the likelier client when a line has both.
const BARE_IPV4 = /(?<![\d.])(\d{1,3}(?:\.\d{1,3}){3})(?![\d.:])/g;

const addressesIn = (text: string): string[] => [...text.matchAll(IPV4)].map((match) => match[1] as string);

/** Every line of the logs read (with where it was read) in which a server refuses a client at an address. */
function refusingLines(snapshot: ClusterSnapshot): PodLogLine[] {
  return snapshot.logs.flatMap((log) =>
    log.lines
      .map((line) => ({
        ...parseLogLine(line),
        pod: log.pod,
        namespace: log.namespace,
        container: log.container,
        previous: log.previous,
      }))
      .filter((line) => CLIENT_REFUSED.test(line.text) && addressesIn(line.text).length > 0),
  );
}

/**
 * The addresses of clients that the servers of `namespace` say they refused, most named first, which no pod, Service or
 * node read holds (the server's own address in a channel name is known): pods elsewhere, found by their address.
 */
export function refusedClientAddresses(snapshot: ClusterSnapshot, namespace: string): string[] {
  const known = new Set<string>([
    ...snapshot.services.flatMap((service) => [service.spec?.clusterIP ?? '', ...(service.spec?.clusterIPs ?? [])]),
    ...snapshot.pods.map((pod) => pod.status?.podIP ?? ''),
    ...snapshot.nodes.flatMap((node) => (node.status?.addresses ?? []).map((address) => address.address)),
  ]);
  const lines = refusingLines(snapshot).filter((l) => l.namespace === namespace);
  const count = (pattern: RegExp): string[] => {
    const counts = new Map<string, number>();
    for (const line of lines)
      for (const ip of new Set([...line.text.matchAll(pattern)].map((match) => match[1] as string)))
        if (!known.has(ip)) counts.set(ip, (counts.get(ip) ?? 0) + 1);
    return [...counts.entries()].sort((a, b) => b[1] - a[1]).map(([ip]) => ip);
  };
  const bare = count(BARE_IPV4);
  return bare.length > 0 ? bare : count(IPV4);
}

/** Lines of other workloads' logs in which a server refuses a client at one of these addresses (the last two). */
export function refusedAt(
  snapshot: ClusterSnapshot,
  addresses: ReadonlySet<string>,
  own: ReadonlySet<string>,
): PodLogLine[] {
  if (addresses.size === 0) return [];
  const lines = refusingLines(snapshot).filter(
    (line) => !own.has(`${line.namespace}/${line.pod}`) && addressesIn(line.text).some((ip) => addresses.has(ip)),
  );
  return lastDistinct(lines, () => true, 2);
}
