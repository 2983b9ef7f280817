import { failsToReach } from './connection-failures.ts';
import { looksLikeError } from './log-line.ts';
import { clusterHostsIn, configuredSettings, type PodController } from './peer-namespaces.ts';
import type { ClusterSnapshot } from './snapshot.ts';

/** An address and port a client dialled (`dial tcp 10.0.4.7:5432: i/o timeout`): the port is what the line keeps. */
const DIALLED = /\b\d{1,3}(?:\.\d{1,3}){3}:(\d{1,5})\b/g;

/**
 * A client that dials an address the cluster resolved for it logs the address, not the name it was configured with; the
 * port stays the same. Of the namespaces only probed, those where the pods' configuration reaches a Service on the port
 * their failing connections dialled are where those connections go: a firmer lead than how often each is named.
 */
export function namespacesOfDialledPorts(
  snapshot: ClusterSnapshot,
  namespace: string,
  probed: string[],
  controllers: PodController[],
): string[] {
  const ports = new Set(
    snapshot.logs
      .filter((log) => log.namespace === namespace)
      .flatMap((log) => log.lines.filter((line) => looksLikeError(line) && failsToReach(line)))
      .flatMap((line) => [...line.matchAll(DIALLED)].map((match) => match[1] as string)),
  );
  if (ports.size === 0) return [];
  const pods = snapshot.pods.filter((pod) => pod.metadata?.namespace === namespace);
  const hosts = clusterHostsIn(configuredSettings(pods, controllers).join(' '));
  return probed.filter((peer) =>
    hosts.some((host) => {
      const [name, port] = host.split(':');
      return port !== undefined && ports.has(port) && name?.split('.')[1] === peer;
    }),
  );
}
