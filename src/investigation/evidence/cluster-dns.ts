import type { Service } from './graph.ts';
import { serviceNameOf } from './hosts.ts';
import type { PodSpec } from './workloads.ts';
import { matchesMap } from './labels.ts';
import { parseLogLine, RESOLVE_ERROR } from './log-line.ts';
import type { LogTarget } from './log-targets.ts';
import { isPodReady } from './pod-state.ts';
import type { ClusterSnapshot, ContainerLog } from './snapshot.ts';

/** Where Kubernetes distributions run the cluster DNS, and the label its Service and pods carry by convention. */
export const CLUSTER_DNS_NAMESPACE = 'kube-system';
export const DNS_LABEL = ['k8s-app', 'kube-dns'] as const;

// `lookup x on 10.96.0.10:53: …`, `read udp 10.244.1.7:40022->10.96.0.10:53: i/o timeout`.
const RESOLVER = /(?:\bon |->)(\d{1,3}(?:\.\d{1,3}){3}):53\b/g;

/** The lines of the logs read that say a name lookup failed. */
export const resolutionErrors = (logs: ContainerLog[]): string[] =>
  logs.flatMap((log) => log.lines.map((line) => parseLogLine(line).text)).filter((text) => RESOLVE_ERROR.test(text));

// The resolver answered: the name does not exist, or it failed to find out (SERVFAIL — Go's "server misbehaving":
// its forwarders or a plugin failed), as opposed to not answering at all (a timeout, EAI_AGAIN).
const SERVER_ANSWERED =
  /no such host|nxdomain|enotfound|name or service not known|unknown ?host|could not resolve host|server misbehaving|servfail/i;

/**
 * Whether a failed lookup was answered by the DNS server ("no such name", or its own failure to resolve): what its
 * configuration (zones, namespaces, forwarders) made it answer, not a dropped query.
 */
export const answeredByServer = (lines: string[]): boolean => lines.some((line) => SERVER_ANSWERED.test(line));

// The name a failed lookup was for: Go's `lookup NAME on …` (or `lookup NAME: i/o timeout`; prose's "lookup failed:" is none), getaddrinfo's `ENOTFOUND NAME` / `EAI_AGAIN NAME`, curl's `resolve host: NAME`,
// Java's `UnknownHostException: NAME`, Python urllib3's `Failed to resolve 'NAME'`, .NET's `Resource temporarily unavailable (NAME:443)`.
const LOOKED_UP =
  /\blookup ([a-z0-9](?:[a-z0-9.-]*[a-z0-9])?(?= on |: (?:i\/o timeout|no such host|server misbehaving|temporary failure|read udp|dial udp))|[a-z0-9][a-z0-9-]*(?:\.[a-z0-9-]+)+(?=:))|(?:ENOTFOUND|EAI_AGAIN) ([a-z0-9][a-z0-9.-]*)|resolve(?: host)?:? '([a-z0-9][a-z0-9.-]*)'|resolve host:? ([a-z0-9][a-z0-9.-]*)|UnknownHostException:? ([a-z0-9][a-z0-9.-]*)|(?:resource temporarily unavailable|name or service not known) \(([a-z0-9][a-z0-9.-]*):\d+\)/gi;

/**
 * Whether a failed lookup is of the qualified name (`svc.ns.svc…`) of a Service that exists: a serving cluster DNS
 * answers that name with the Service's address, so when it fails while every DNS replica serves, the answer came from
 * something in front of the cluster DNS (a cache on the nodes bound to its address), not from the cluster DNS itself.
 */
export const failsForExistingService = (lines: string[], services: Service[]): boolean =>
  lookedUpNames(lines).some((host) => {
    const named = host.includes('.svc') ? serviceNameOf(host, '') : undefined;
    return services.some((s) => s.metadata?.namespace === named?.namespace && s.metadata?.name === named?.name);
  });

/** The outside name an ExternalName Service read aliases, by its cluster name (`svc.ns`, `svc.ns.svc…`). */
export const externalAliasOf =
  (services: Service[]) =>
  (name: string): string | undefined => {
    const named = serviceNameOf(name, '');
    if (!named?.namespace) return undefined;
    const service = services.find((s) => s.metadata?.namespace === named.namespace && s.metadata?.name === named.name);
    return service?.spec?.type === 'ExternalName'
      ? service.spec.externalName?.toLowerCase().replace(/\.$/, '')
      : undefined;
  };

// The host of a URL a line quotes (`"url": "https://lims.lab.example/api"`), an address excepted.
const URL_HOST =
  /\b[a-z][a-z0-9+.-]*:\/\/(?:[^@/\s"']*@)?([a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*)(?=[:/"'\s,)]|$)/gi;

/**
 * The names the failed lookups were for, as the lines give them: in the resolver's own words, or else — a client that
 * says only that resolution failed (Python's `Temporary failure in name resolution`) — the host of the URL the same
 * line says it was calling.
 */
export const lookedUpNames = (lines: string[]): string[] =>
  lines.flatMap((line) => {
    const named = [...line.matchAll(LOOKED_UP)].map((m) =>
      (m[1] ?? m[2] ?? m[3] ?? m[4] ?? m[5] ?? m[6] ?? '').toLowerCase().replace(/\.$/, ''),
    );
    if (named.length > 0 || !RESOLVE_ERROR.test(line)) return named;
    return [...line.matchAll(URL_HOST)]
      .map((m) => (m[1] as string).toLowerCase())
      .filter((host) => !/^\d+(\.\d+){3}$/.test(host));
  });

/**
 * Whether every failed lookup whose name the lines give is of a name outside the cluster (neither a short or qualified
 * Service name nor `service.namespace`): the cluster DNS answers those by forwarding them where its configuration says,
 * so even a lookup that timed out at the client may have reached it and died at its upstream — while a query that
 * never reached it fails for Service names too.
 */
export function onlyOutsideNames(
  lines: string[],
  namespaces: Set<string>,
  aliasOf: (name: string) => string | undefined = () => undefined,
): boolean {
  const names = lookedUpNames(lines);
  // The cluster name of an ExternalName Service is answered with its alias, an outside name the server forwards.
  return names.length > 0 && names.every((name) => !isClusterName(aliasOf(name) ?? name, namespaces));
}

const isClusterName = (name: string, namespaces: Set<string>): boolean => {
  const labels = name.split('.');
  if (labels.length === 1 || /\.svc(\.|$)|\.cluster\.local$/.test(name)) return true;
  return labels.length === 2 && namespaces.has(labels[1] as string);
};

/** Resolver addresses the failing lookups went to. */
export const resolverIps = (lines: string[]): Set<string> =>
  new Set(lines.flatMap((line) => [...line.matchAll(RESOLVER)].map((match) => match[1] as string)));

/** The cluster DNS Service: labelled as such in kube-system, or the Service at the resolver address the logs name. */
export function isClusterDnsService(service: Service, resolvers: Set<string>): boolean {
  if (
    service.metadata?.labels?.[DNS_LABEL[0]] === DNS_LABEL[1] &&
    service.metadata?.namespace === CLUSTER_DNS_NAMESPACE
  )
    return true;
  return [service.spec?.clusterIP, ...(service.spec?.clusterIPs ?? [])].some((ip) => ip && resolvers.has(ip));
}

/**
 * A namespace named for the DNS (a `dns` word in its name, as OpenShift names its own, or `coredns`): where a distribution runs the
 * cluster DNS when kube-system holds none.
 */
export const namedForDns = (name: string): boolean => /(?:^|[-.])(?:core)?dns(?:[-.]|$)/i.test(name);

/** A Service that serves DNS: on port 53, or on a port named for it. */
export const servesDns = (service: Service): boolean =>
  (service.spec?.ports ?? []).some((port) => port.port === 53 || /^dns/i.test(port.name ?? ''));

/**
 * The namespaces the cluster DNS lives in, as read: kube-system, and any other namespace named for the DNS whose
 * Services serve it (a distribution's own, such as OpenShift's).
 */
export function clusterDnsNamespaces(services: readonly Service[]): Set<string> {
  const homes = new Set([CLUSTER_DNS_NAMESPACE]);
  for (const service of services) {
    const namespace = service.metadata?.namespace ?? '';
    if (namedForDns(namespace) && servesDns(service)) homes.add(namespace);
  }
  return homes;
}

/** Pods carrying the cluster DNS label (how the DNS workload is found when its Service was not read). */
export const isClusterDnsPod = (pod: ClusterSnapshot['pods'][number]): boolean =>
  pod.metadata?.labels?.[DNS_LABEL[0]] === DNS_LABEL[1];

/**
 * Of what was read in the DNS namespace, the part about the cluster DNS: its Services, their Endpoints, and the
 * Deployments whose pod template the Services select (judged later by replicas, since a scaled-down one has no pods).
 */
export function clusterDnsObjects(
  read: Pick<ClusterSnapshot, 'services' | 'endpoints' | 'deployments'>,
  resolvers: Set<string>,
): Pick<ClusterSnapshot, 'services' | 'endpoints' | 'deployments'> {
  const services = read.services.filter((service) => isClusterDnsService(service, resolvers));
  const names = new Set(services.map((service) => service.metadata?.name));
  return {
    services,
    endpoints: read.endpoints.filter((endpoints) => names.has(endpoints.metadata?.name)),
    deployments: read.deployments.filter((deployment) =>
      services.some((service) => matchesMap(deployment.spec?.template?.metadata?.labels, service.spec?.selector)),
    ),
  };
}

/**
 * The log that says why the cluster DNS is not serving: the previous instance of a DNS container that restarted
 * (unless the kubelet killed it for memory, which its status already says), else a DNS pod that is not ready.
 */
export function clusterDnsLogTarget(pods: ClusterSnapshot['pods']): LogTarget | undefined {
  for (const pod of pods.filter((candidate) => !isPodReady(candidate))) {
    const name = pod.metadata?.name ?? '';
    const namespace = pod.metadata?.namespace ?? CLUSTER_DNS_NAMESPACE;
    const statuses = pod.status?.containerStatuses ?? [];
    const restarted = statuses.find((status) => (status.restartCount ?? 0) > 0 && status.lastState?.terminated);
    if (restarted?.lastState?.terminated?.reason === 'OOMKilled') continue;
    if (restarted)
      return { namespace, pod: name, container: restarted.name, previous: true, why: 'a cluster DNS pod restarts' };
    const running = statuses.find((status) => status.state?.running);
    if (running)
      return { namespace, pod: name, container: running.name, previous: false, why: 'a cluster DNS pod is not ready' };
  }
  return undefined;
}

/** ConfigMaps a pod spec mounts as volumes (the cluster DNS reads its Corefile from one). */
export const mountedConfigMaps = (spec: PodSpec | undefined): string[] =>
  (spec?.volumes ?? []).flatMap((volume) => (volume.configMap?.name ? [volume.configMap.name] : []));

/**
 * A ready DNS pod's current log, when every replica serves yet lookups come back failed and the Corefile forwards some
 * zone to upstreams of its own: the server's own errors say which forwarded lookups fail, and its reload line when its
 * configuration last changed.
 */
export function forwardingDnsLogTarget(pods: ClusterSnapshot['pods']): LogTarget | undefined {
  for (const pod of pods.filter(isPodReady)) {
    const running = (pod.status?.containerStatuses ?? []).find((status) => status.state?.running);
    if (!running) continue;
    return {
      namespace: pod.metadata?.namespace ?? CLUSTER_DNS_NAMESPACE,
      pod: pod.metadata?.name ?? '',
      container: running.name,
      previous: false,
      why: 'lookups come back failed while the cluster DNS serves, and it forwards some names to upstreams of its own',
    };
  }
  return undefined;
}
