import {
  CLUSTER_DNS_NAMESPACE,
  clusterDnsNamespaces,
  externalAliasOf,
  lookedUpNames,
  servesDns,
} from '../evidence/cluster-dns.ts';
import { matchesMap } from '../evidence/labels.ts';
import {
  forwardingBlocksOf,
  holdsServerBlocks,
  inZone,
  type ServerBlock,
  shadowingHosts,
  upstreamHost,
} from '../evidence/corefile.ts';
import { type ForwardFailure, readDnsServerLog } from '../evidence/dns-server-log.ts';
import type { EvidenceGraph } from '../evidence/graph.ts';
import { serviceNameOf } from '../evidence/hosts.ts';
import { refOf } from '../evidence/graph.ts';
import { RESOLVE_ERROR } from '../evidence/log-line.ts';
import { lastDistinct, logEvidence, logLinesOf } from '../evidence/logs.ts';
import { CLUSTER_DOMAIN, clusterDnsAddresses, clusterDomainUpstreams } from '../evidence/node-dns-cache.ts';
import { podResolver } from '../evidence/pod-resolver.ts';
import type { ClusterSnapshot } from '../evidence/snapshot.ts';
import { lastChange, toMs, snapshotNow } from '../evidence/time.ts';
import type { EntityRef, Evidence, Finding } from '../model.ts';
import { refKey } from '../model.ts';
import { type Detector, finding } from './detector.ts';
import { SUSPECT_CHANGE_WINDOW } from '../evidence/onset.ts';

type ConfigMap = ClusterSnapshot['configMaps'][number];
type Victim = {
  workload: EntityRef;
  namespaces: Set<string>;
  lines: ReturnType<typeof logLinesOf>;
  /** The first failed lookup read, in ms. */
  since: number;
};

const IP = /^\d{1,3}(?:\.\d{1,3}){3}$/;
// `user.shop.svc.cluster.local`, `user.shop.svc`: the namespace a qualified Service name lives in.
const QUALIFIED = /\b[a-z0-9-]+\.([a-z0-9-]+)\.svc\b/gi;

/** How sure a finding is (the scale: detectors/detector.ts). */
const STRENGTH = {
  /** The Corefile limits the kubernetes plugin to namespaces, and the failing lookups are of Services outside them. */
  namespacesLeftOut: 0.92,
  /** A cache in front of the cluster DNS forwards the cluster domain to an address where no cluster DNS answers. */
  forwardsClusterDomainNowhere: 0.9,
  /** The Corefile has no kubernetes plugin for the cluster domain: no Service name can resolve. */
  noKubernetesPlugin: 0.9,
  /** A hosts plugin answers the cluster domain before the kubernetes plugin and passes nothing on: no Service resolves. */
  hostsShadowClusterDomain: 0.92,
  /**
   * It changed shortly before lookups began to fail, and the names that fail fall in one of its own forwarding blocks:
   * the change governs exactly those lookups.
   */
  forwardedNamesFailSinceChange: 0.9,
  /** Nothing plainly wrong in it, but it changed shortly before lookups began to fail: a suspect to compare. */
  changedBeforeFailures: 0.5,
  /** The server's own log says lookups it forwards as the Corefile says fail, and it reloaded shortly before. */
  forwardsFailSinceReload: 0.5,
  /** The same with no change seen: the upstreams may be down rather than wrongly configured. */
  forwardsFail: 0.4,
} as const;

/**
 * The cluster DNS configuration (the Corefile in the DNS server's ConfigMap) when pods' name lookups fail: a
 * `kubernetes` plugin that serves only some namespaces (the failing pods' namespace not among them), no plugin
 * serving the cluster domain at all, or, more weakly, a configuration someone changed shortly before the lookups
 * began to fail.
 */
export const dnsConfig: Detector = {
  id: 'dns-config',
  faultTypes: ['dns'],
  detect(snapshot, graph) {
    const victims = failingLookups(snapshot, graph);
    if (victims.length === 0) return [];
    const homes = clusterDnsNamespaces(snapshot.services);
    return snapshot.configMaps
      .filter((cm) => homes.has(cm.metadata?.namespace ?? '') && holdsServerBlocks(cm.data))
      .flatMap((cm) => judge(cm, victims, snapshot));
  },
};

function judge(configMap: ConfigMap, victims: Victim[], snapshot: ClusterSnapshot): Finding[] {
  const ref = refOf('ConfigMap', configMap.metadata);
  const changedAt = lastChange(configMap.metadata);
  const judged = judgedBy(ref, changedAt);
  const corefile = configMap.data?.Corefile;
  // Server blocks under keys of their own (files the Corefile imports) add zones and where they forward; only the
  // Corefile itself serves the cluster domain.
  if (corefile === undefined) {
    const forwarding = failingForwards(configMap, snapshot);
    if (forwarding) return [forwardsFail(ref, forwarding, victims, changedAt)];
    return changedShortlyBefore(configMap, victims, snapshot, judged);
  }
  const plugin = kubernetesPlugin(corefile);

  // A cache in front of the cluster DNS (a node-local one) forwards the cluster domain instead of serving it.
  const cached = clusterDomainUpstreams(corefile);
  if (cached.length > 0) {
    const known = clusterDnsAddresses(snapshot);
    const nowhere = cached.filter((host) => IP.test(host) && known.size > 0 && !known.has(host));
    if (nowhere.length > 0)
      return [
        judged(
          STRENGTH.forwardsClusterDomainNowhere,
          `ConfigMap ${ref.name} configures a DNS cache in front of the cluster DNS and forwards ${CLUSTER_DOMAIN} to ${nowhere.join(', ')}, where no DNS server is (the cluster DNS answers at ${[...known].join(', ')}): no Service name resolves through it`,
          `Corefile: ${CLUSTER_DOMAIN} { forward . ${cached.join(' ')} } — ${nowhere.join(', ')} is no cluster DNS address`,
          victims,
        ),
      ];
    return changedShortlyBefore(configMap, victims, snapshot, judged);
  }
  if (!plugin) {
    return [
      judged(
        STRENGTH.noKubernetesPlugin,
        `ConfigMap ${ref.name} configures the cluster DNS without a kubernetes plugin for ${CLUSTER_DOMAIN}: no Service name resolves`,
        `Corefile has no "kubernetes ${CLUSTER_DOMAIN}" block`,
        victims,
      ),
    ];
  }
  const shadow = shadowingHosts(corefile, CLUSTER_DOMAIN);
  if (shadow) {
    const listed = shadow.names.length > 0 ? ` (it lists only ${shadow.names.slice(0, 3).join(', ')})` : '';
    return [
      judged(
        STRENGTH.hostsShadowClusterDomain,
        `ConfigMap ${ref.name} configures a hosts plugin for ${shadow.zones.join(' ')} without fallthrough${listed}: the DNS server runs hosts before kubernetes, so every Service name it does not list is answered NXDOMAIN`,
        `Corefile: ${shadow.block.join(' ')} { hosts … } answers ${shadow.zones.join(' ')} with no fallthrough, ahead of "kubernetes ${CLUSTER_DOMAIN}"`,
        victims,
      ),
    ];
  }
  if (plugin.namespaces) {
    const served = plugin.namespaces;
    const unserved = victims.filter((v) => [...v.namespaces].some((ns) => !served.includes(ns)));
    if (unserved.length > 0) {
      const missing = [...new Set(unserved.flatMap((v) => [...v.namespaces].filter((ns) => !served.includes(ns))))];
      return [
        judged(
          STRENGTH.namespacesLeftOut,
          `ConfigMap ${ref.name} limits the cluster DNS to namespaces ${served.join(', ')}: names of Services in ${missing.join(', ')} do not resolve`,
          `kubernetes plugin: "namespaces ${served.join(' ')}" — ${missing.join(', ')} not among them`,
          unserved,
        ),
      ];
    }
  }
  const forwarding = failingForwards(configMap, snapshot);
  if (forwarding) return [forwardsFail(ref, forwarding, victims, changedAt)];
  return changedShortlyBefore(configMap, victims, snapshot, judged);
}

type Judged = (strength: number, summary: string, spec: string, affected: Victim[]) => Finding;

/** A finding about the DNS configuration, with what it says, when it changed and the victims' failed lookups. */
const judgedBy =
  (ref: EntityRef, changedAt: string | undefined): Judged =>
  (strength, summary, spec, affected) =>
    finding(dnsConfig, {
      entity: ref,
      affects: affected.map((v) => v.workload),
      strength,
      summary,
      evidence: [
        { source: 'spec', ref, text: spec },
        ...(changedAt ? [changeAt(ref, changedAt)] : []),
        ...affected.slice(0, 3).flatMap((v) => v.lines.slice(0, 1).map(logEvidence)),
      ],
      ...(changedAt ? { changedAt } : {}),
    });

/** Nothing in the configuration is plainly wrong, but it changed shortly before lookups failed: a suspect to check. */
function changedShortlyBefore(
  configMap: ConfigMap,
  victims: Victim[],
  snapshot: ClusterSnapshot,
  judged: Judged,
): Finding[] {
  const changedAt = lastChange(configMap.metadata);
  const changed = toMs(changedAt);
  const firstFailure = Math.min(...victims.map((v) => v.since));
  const now = snapshotNow(snapshot);
  const onset = Number.isFinite(firstFailure) ? firstFailure : now;
  if (changed === undefined || changed > onset || onset - changed > SUSPECT_CHANGE_WINDOW) return [];
  const zoned = failingNamesForwarded(configMap, victims, snapshot);
  if (zoned) {
    const found = judged(
      STRENGTH.forwardedNamesFailSinceChange,
      `ConfigMap ${configMap.metadata?.name} (the cluster DNS configuration) changed at ${changedAt}, and the names that fail to resolve since fall in its block for ${zoned.block.zones.join(' ')}, forwarded to ${zoned.block.upstreams.join(', ')}: ${zoned.name}${zoned.alias ? ` (Service ${zoned.alias.name} aliases ${zoned.target})` : ''}. To confirm: compare the block with its previous version and ask the upstream directly (dig @${upstreamHost(zoned.block.upstreams[0] ?? '')} ${zoned.target})`,
      `Corefile: ${zoned.block.zones.join(' ')} { forward . ${zoned.block.upstreams.join(' ')} }`,
      victims,
    );
    if (zoned.alias) found.affects.push(zoned.alias);
    return [found];
  }
  return [
    judged(
      STRENGTH.changedBeforeFailures,
      `ConfigMap ${configMap.metadata?.name} (the cluster DNS configuration) changed at ${changedAt} and name lookups fail since: compare it with its previous version`,
      'Corefile changed shortly before the lookups began to fail',
      victims,
    ),
  ];
}

/**
 * A name the victims failed to look up that one of the configuration's own forwarding blocks (a zone of its own, not
 * the default `.`) governs: directly, or as the outside name an ExternalName Service's cluster name is answered with.
 * Changed shortly before the failures, that block decides exactly the lookups that fail.
 */
function failingNamesForwarded(
  configMap: ConfigMap,
  victims: Victim[],
  snapshot: ClusterSnapshot,
): { block: ServerBlock; name: string; target: string; alias?: EntityRef } | undefined {
  const blocks = forwardingBlocksOf(configMap.data).filter((b) => !b.zones.includes('.'));
  if (blocks.length === 0) return undefined;
  const aliasOf = externalAliasOf(snapshot.services);
  for (const name of lookedUpNames(victims.flatMap((v) => v.lines.map((l) => l.text)))) {
    const aliased = aliasOf(name);
    const target = aliased ?? name;
    const block = blocks.find((b) => b.zones.some((zone) => inZone(target, zone)));
    if (!block) continue;
    const service = aliased ? serviceNameOf(name, '') : undefined;
    return {
      block,
      name,
      target,
      ...(service ? { alias: { kind: 'Service', namespace: service.namespace, name: service.name } } : {}),
    };
  }
  return undefined;
}

/** The `kubernetes` plugin block that serves the cluster domain, and its `namespaces` filter if any. */
function kubernetesPlugin(corefile: string): { namespaces?: string[] } | undefined {
  const lines = corefile.split('\n').map((line) => line.replace(/#.*/, '').trim());
  const start = lines.findIndex((line) => /^kubernetes\b/.test(line) && line.split(/\s+/).includes(CLUSTER_DOMAIN));
  if (start < 0) return undefined;
  const namespaces: string[] = [];
  for (const line of lines.slice(start + 1)) {
    if (line.startsWith('}')) break;
    const [directive, ...args] = line.split(/\s+/);
    if (directive === 'namespaces') namespaces.push(...args);
  }
  return namespaces.length > 0 ? { namespaces } : {};
}

/** Workloads asking the cluster DNS whose read logs say name lookups fail, with the namespaces of the names they look up. */
function failingLookups(snapshot: ClusterSnapshot, graph: EvidenceGraph): Victim[] {
  const victims = new Map<string, Victim>();
  for (const workload of graph.workloads) {
    // A pod that does not ask the cluster DNS is no victim of its configuration.
    if (podResolver(graph.podSpecOf(workload.ref)).asks !== 'cluster') continue;
    const namespace = workload.ref.namespace ?? '';
    const pods = graph.podsOf(workload.ref).map((p) => p.metadata?.name ?? '');
    const all = logLinesOf(snapshot, namespace, pods).filter((l) => RESOLVE_ERROR.test(l.text));
    const lines = lastDistinct(all, () => true, 3);
    if (lines.length === 0) continue;
    const since = Math.min(...all.map((l) => toMs(l.at) ?? Number.POSITIVE_INFINITY));
    // A short name resolves in the caller's own namespace (its search path); a qualified one names its namespace.
    const named = lines.flatMap((l) => [...l.text.matchAll(QUALIFIED)].map((m) => (m[1] as string).toLowerCase()));
    const namespaces = new Set(named.length > 0 ? named : [namespace]);
    victims.set(refKey(workload.ref), { workload: workload.ref, namespaces, lines, since });
  }
  return [...victims.values()];
}

const changeAt = (ref: EntityRef, at: string): Evidence => ({
  source: 'change',
  ref,
  text: `ConfigMap ${ref.name} last changed at ${at}`,
  at,
});

/** Lookups the DNS server failed to forward as one of the Corefile's blocks says, and when it last reloaded before them. */
interface FailingForwards {
  block: ServerBlock;
  failures: ForwardFailure[];
  /** The reload (the Corefile changing) shortly before the first failure, if its log shows one. */
  reloadedAt?: string;
}

/**
 * What the log of the pods that read this Corefile says of the lookups they forward: the failures whose names fall in a
 * block with upstreams of its own (the most specific zone, as CoreDNS chooses), that block, and the reload before them.
 */
function failingForwards(configMap: ConfigMap, snapshot: ClusterSnapshot): FailingForwards | undefined {
  const name = configMap.metadata?.name;
  const namespace = configMap.metadata?.namespace ?? CLUSTER_DNS_NAMESPACE;
  const mounting = snapshot.pods.filter(
    (pod) => pod.metadata?.namespace === namespace && (pod.spec?.volumes ?? []).some((v) => v.configMap?.name === name),
  );
  // No pod read mounts it (an operator hands the servers their Corefile another way): the DNS servers of its namespace
  // — the pods its DNS Services select — are the ones that read it.
  const servers = snapshot.services
    .filter((service) => service.metadata?.namespace === namespace && servesDns(service))
    .flatMap((service) =>
      snapshot.pods.filter(
        (pod) => pod.metadata?.namespace === namespace && matchesMap(pod.metadata?.labels, service.spec?.selector),
      ),
    );
  const readers = (mounting.length > 0 ? mounting : servers).map((pod) => pod.metadata?.name ?? '');
  const log = readDnsServerLog(logLinesOf(snapshot, namespace, readers));
  const blocks = forwardingBlocksOf(configMap.data);
  const byBlock = new Map<ServerBlock, ForwardFailure[]>();
  for (const failure of log.failures) {
    const block = blocks
      .filter((b) => b.zones.some((zone) => inZone(failure.name, zone)))
      .sort((a, b) => specificity(b) - specificity(a))[0];
    const sentThere = !failure.upstream || block?.upstreams.some((u) => upstreamHost(u) === failure.upstream);
    if (block && sentThere) byBlock.set(block, [...(byBlock.get(block) ?? []), failure]);
  }
  const [block, failures] = [...byBlock.entries()].sort((a, b) => b[1].length - a[1].length)[0] ?? [];
  if (!block || !failures) return undefined;
  const first = Math.min(...failures.map((f) => toMs(f.line.at) ?? Number.POSITIVE_INFINITY));
  const reloadedAt = log.reloads
    .filter((at) => {
      const ms = toMs(at);
      return ms !== undefined && ms <= first && first - ms <= SUSPECT_CHANGE_WINDOW;
    })
    .at(-1);
  return { block, failures, ...(reloadedAt ? { reloadedAt } : {}) };
}

const specificity = (block: ServerBlock): number =>
  Math.max(...block.zones.map((zone) => (zone === '.' ? 0 : zone.split('.').length)));

function forwardsFail(
  ref: EntityRef,
  { block, failures, reloadedAt }: FailingForwards,
  victims: Victim[],
  changedAt: string | undefined,
): Finding {
  const zone = block.zones.join(' ');
  const upstreams = block.upstreams.join(', ');
  const example = failures.at(-1) as ForwardFailure;
  const target = example.upstream ?? upstreamHost(block.upstreams[0] ?? '');
  const since = failures[0]?.line.at;
  const changed = reloadedAt ?? changedAt;
  return finding(dnsConfig, {
    entity: ref,
    affects: victims.map((v) => v.workload),
    strength: reloadedAt ? STRENGTH.forwardsFailSinceReload : STRENGTH.forwardsFail,
    summary: `ConfigMap ${ref.name} (the cluster DNS configuration) forwards ${zone} to ${upstreams}, and the DNS server's own log says those lookups fail (${failures.length} errors since ${since}, e.g. ${example.name} via ${target})${reloadedAt ? `; it reloaded its configuration at ${reloadedAt}, ${minutesBetween(reloadedAt, since)} min before the first of them` : ''}: the likeliest suspect found. To confirm: compare the ${zone} block with its previous version and ask an upstream directly (dig @${target} ${example.name})`,
    evidence: [
      { source: 'spec', ref, text: `Corefile: ${zone} { forward . ${block.upstreams.join(' ')} }` },
      ...(reloadedAt
        ? [
            {
              source: 'change' as const,
              ref,
              text: `the DNS server reloaded its Corefile at ${reloadedAt}`,
              at: reloadedAt,
            },
          ]
        : []),
      logEvidence(example.line),
      ...victims.slice(0, 2).flatMap((v) => v.lines.slice(0, 1).map(logEvidence)),
    ],
    ...(changed ? { changedAt: changed } : {}),
  });
}

const minutesBetween = (from: string, to: string | undefined): number =>
  Math.round(((toMs(to) ?? 0) - (toMs(from) ?? 0)) / 60_000);
