import { occursAsWord } from '../focus.ts';
import { matchesMap } from './labels.ts';
import { lastDistinct, logLinesWhere, type PodLogLine } from './logs.ts';
import { storeClients } from './store-writers.ts';
import type { ClusterSnapshot } from './snapshot.ts';

/**
 * A server's words for a client it turned away at the door (a TLS handshake, an authentication), written beside the
 * client's address: the server is the receiving side, the client the one that changed.
 */
const CLIENT_REFUSED =
  /failed authentication|authentication (?:\w+ )?failed|handshake failed|ssl handshake|tls handshake error|bad certificate|unknown (ca|certificate)|access denied|login failed|unauthori[sz]ed/i;
const IPV4 = /(?<![\d.])(\d{1,3}(?:\.\d{1,3}){3})(?![\d.])/g;
// An address alone, not `ip:port`: a server writes its own listener as address and port (`channelId=10.0.0.5:9093-…`),
// so a bare address is the likelier client when a line has both.
const BARE_IPV4 = /(?<![\d.])(\d{1,3}(?:\.\d{1,3}){3})(?![\d.:])/g;

const addressesIn = (text: string): string[] => [...text.matchAll(IPV4)].map((match) => match[1] as string);

/** Every line of the logs read (with where it was read) in which a server refuses a client. */
function refusalLines(snapshot: ClusterSnapshot): PodLogLine[] {
  return logLinesWhere(snapshot, (text) => CLIENT_REFUSED.test(text));
}

/** Every line of the logs read in which a server refuses a client at an address. */
const refusingLines = (snapshot: ClusterSnapshot): PodLogLine[] =>
  refusalLines(snapshot).filter((line) => addressesIn(line.text).length > 0);

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

type Deployment = ClusterSnapshot['deployments'][number];

/** A setting's value that can name a login (`indexer`, `svc-billing`): one word, not a URL, a host or a number. */
const LOGIN_VALUE = /^(?=.*[a-z])[\w-]{3,}$/i;

/**
 * The client a server refuses when no pod read holds the address it names (a client behind NAT, an address the
 * server's proxy rewrote, no address at all): of the Deployments of namespaces not read yet configured with a Service
 * of the refusing server's pods, the one the refusal names — its name, or a login its settings hold
 * word for word (`failed for indexer` beside `OPENSEARCH_USER=indexer`) — else the only one there is.
 */
export function refusedConfiguredClient(
  snapshot: ClusterSnapshot,
  namespace: string,
  deployments: readonly Deployment[],
  read: ReadonlySet<string>,
): Deployment | undefined {
  const refusals = refusalLines(snapshot).filter((line) => line.namespace === namespace);
  const refusing = snapshot.pods.filter(
    (pod) => pod.metadata?.namespace === namespace && refusals.some((line) => line.pod === pod.metadata?.name),
  );
  const servers = new Set(
    snapshot.services
      .filter(
        (service) =>
          service.metadata?.namespace === namespace &&
          refusing.some((pod) => matchesMap(pod.metadata?.labels, service.spec?.selector)),
      )
      .map((service) => `${namespace}/${service.metadata?.name}`),
  );
  if (servers.size === 0) return undefined;
  const lines = refusals.map((line) => line.text.toLowerCase());
  const clients = storeClients(deployments, servers, read).map((client) => client.deployment);
  const named = clients.filter((deployment) => {
    const values = (deployment.spec?.template?.spec?.containers ?? [])
      .flatMap((container) => container.env ?? [])
      .flatMap((env) => (env.value && LOGIN_VALUE.test(env.value) ? [env.value.toLowerCase()] : []));
    const words = [deployment.metadata?.name?.toLowerCase() ?? '', ...values].filter(Boolean);
    return lines.some((line) => words.some((word) => occursAsWord(line, word)));
  });
  return named.length === 1 ? named[0] : clients.length === 1 ? clients[0] : undefined;
}
