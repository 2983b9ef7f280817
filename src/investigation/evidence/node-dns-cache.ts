import { CLUSTER_DNS_NAMESPACE } from './cluster-dns.ts';
import { forwardingBlocks, inZone, upstreamHost } from './corefile.ts';
import { matchesMap } from './labels.ts';
import type { ClusterSnapshot } from './snapshot.ts';

type DaemonSet = ClusterSnapshot['daemonSets'][number];

const DNS_PORT = 53;
export const CLUSTER_DOMAIN = 'cluster.local';

/**
 * A DNS server that runs on every node: a DaemonSet on the host network whose containers serve port 53 (NodeLocal
 * DNSCache and its kin). Pods' lookups reach it before the cluster DNS Deployment — it binds a link-local address, and
 * often the cluster DNS Service's own address too — so when it forwards wrongly every lookup fails while the cluster
 * DNS itself is healthy and never sees them.
 */
export function servesDnsOnNodes(daemonSet: DaemonSet): boolean {
  const spec = daemonSet.spec?.template?.spec;
  if (!spec?.hostNetwork) return false;
  return (spec.containers ?? []).some((container) =>
    (container.ports ?? []).some((port) => port.containerPort === DNS_PORT),
  );
}

/**
 * Where a Corefile sends the cluster domain's lookups, when it forwards them (a cache in front of the cluster DNS)
 * instead of answering them from the API (the cluster DNS's own `kubernetes` plugin): the upstream hosts.
 */
export function clusterDomainUpstreams(corefile: string): string[] {
  return forwardingBlocks(corefile)
    .filter((block) => block.zones.some((zone) => zone !== '.' && inZone(CLUSTER_DOMAIN, zone)))
    .flatMap((block) => block.upstreams.map(upstreamHost));
}

/**
 * The addresses at which the cluster DNS answers, as far as the objects read show them: the cluster IPs of the
 * Services in the DNS namespace that serve port 53 from the pods of a Deployment (not the caches' own DaemonSet pods),
 * and the addresses their Endpoints hold. A cache may forward to any of them (the DNS Service, or an "upstream"
 * Service beside it).
 */
export function clusterDnsAddresses(snapshot: ClusterSnapshot): Set<string> {
  const inDnsNamespace = (o: { metadata?: { namespace?: string } }) => o.metadata?.namespace === CLUSTER_DNS_NAMESPACE;
  const templates = snapshot.deployments.filter(inDnsNamespace).map((d) => d.spec?.template?.metadata?.labels);
  const services = snapshot.services.filter(
    (service) =>
      inDnsNamespace(service) &&
      (service.spec?.ports ?? []).some((port) => port.port === DNS_PORT) &&
      templates.some((labels) => matchesMap(labels, service.spec?.selector)),
  );
  const names = new Set(services.map((service) => service.metadata?.name));
  const endpointIps = snapshot.endpoints
    .filter((e) => inDnsNamespace(e) && names.has(e.metadata?.name))
    .flatMap((e) => (e.subsets ?? []).flatMap((s) => [...(s.addresses ?? []), ...(s.notReadyAddresses ?? [])]))
    .map((address) => address.ip);
  const serviceIps = services.flatMap((service) => [service.spec?.clusterIP, ...(service.spec?.clusterIPs ?? [])]);
  return new Set([...serviceIps, ...endpointIps].filter((ip): ip is string => !!ip && ip !== 'None'));
}
