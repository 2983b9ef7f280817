import type { PodSpec } from './workloads.ts';

/**
 * Whom a pod asks to resolve names, from its own settings (Kubernetes' "Pod's DNS Policy"): the cluster DNS, the
 * node's resolver, or nameservers of its own. Only the cluster DNS answers Service names.
 */
export type PodResolver =
  | { asks: 'cluster' }
  | {
      asks: 'node' | 'own';
      /** The settings that make it so, as the spec says them. */
      why: string;
    };

/**
 * - `dnsPolicy: None` uses only `dnsConfig` (its nameservers, search list and options);
 * - `dnsPolicy: Default` inherits the node's resolv.conf (not the default policy, despite the name);
 * - on the host network, `ClusterFirst` (the default) falls back to the node's resolver: only
 *   `ClusterFirstWithHostNet` keeps the cluster DNS;
 * - `ClusterFirst` with extra `dnsConfig.nameservers` still asks the cluster DNS first, but may be answered by them.
 */
export function podResolver(spec: PodSpec | undefined): PodResolver {
  const policy = spec?.dnsPolicy ?? 'ClusterFirst';
  const nameservers = spec?.dnsConfig?.nameservers ?? [];
  if (policy === 'None') return { asks: 'own', why: `dnsPolicy None, nameservers ${nameservers.join(', ') || 'none'}` };
  if (policy === 'Default') return { asks: 'node', why: "dnsPolicy Default (the node's resolv.conf)" };
  if (spec?.hostNetwork && policy === 'ClusterFirst')
    return {
      asks: 'node',
      why: "hostNetwork: true with dnsPolicy ClusterFirst (falls back to the node's resolver; ClusterFirstWithHostNet keeps the cluster DNS)",
    };
  if (nameservers.length > 0)
    return { asks: 'own', why: `dnsPolicy ${policy} with nameservers ${nameservers.join(', ')}` };
  return { asks: 'cluster' };
}

/**
 * Why a new pod template no longer asks the cluster DNS when the one before it did (the settings, as the spec says
 * them), or undefined. Nameservers of its own that are all the cluster DNS Service's address still ask the cluster DNS.
 */
export function leftClusterDns(
  before: PodSpec | undefined,
  after: PodSpec | undefined,
  clusterDnsIps: ReadonlySet<string>,
): string | undefined {
  if (podResolver(before).asks !== 'cluster') return undefined;
  const resolver = podResolver(after);
  if (resolver.asks === 'cluster') return undefined;
  const nameservers = after?.dnsConfig?.nameservers ?? [];
  if (resolver.asks === 'own' && nameservers.length > 0 && nameservers.every((ip) => clusterDnsIps.has(ip)))
    return undefined;
  return resolver.why;
}
