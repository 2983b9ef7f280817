import { isClusterDnsPod, isClusterDnsService, resolverIps } from '../evidence/cluster-dns.ts';
import { endpointsOf, readyAddresses } from '../evidence/endpoints.ts';
import { refOf } from '../evidence/graph.ts';
import { RESOLVE_ERROR } from '../evidence/log-line.ts';
import type { EvidenceGraph } from '../evidence/graph.ts';
import { lastDistinct, logEvidence, logLinesOf, type PodLogLine } from '../evidence/logs.ts';
import { leftClusterDns, podResolver } from '../evidence/pod-resolver.ts';
import { clusterDnsAddresses } from '../evidence/node-dns-cache.ts';
import { type ReplicaSet, revisionOf, revisions } from '../evidence/revisions.ts';
import { rollbackProposal } from '../evidence/rollout.ts';
import type { ClusterSnapshot } from '../evidence/snapshot.ts';
import { hasRestarted, isPodReady } from '../evidence/pod-state.ts';
import { lastChange } from '../evidence/time.ts';
import type { EntityRef, Finding } from '../model.ts';
import { refKey } from '../model.ts';
import { type Detector, finding } from './detector.ts';

/**
 * How sure a finding is (the scale: detectors/detector.ts). Lookups failing while no DNS replica serves: dns is the
 * fault the cluster suffers, whatever stopped the replicas (their own OOM kills or crashes are the evidence, not a
 * competing diagnosis).
 */
const STRENGTH = {
  /** Lookups fail in other workloads and no DNS replica is ready. */
  downAndFailing: 0.97,
  /** One of the two: lookups fail while some replica is ready, or no replica is ready with no failure read. */
  downOrFailing: 0.92,
  /** Fewer ready replicas than desired, no failed lookup read. */
  short: 0.7,
  /** A workload's own DNS settings send its lookups past the cluster DNS, and they fail. */
  ownResolver: 0.9,
  /**
   * Its newest revision moved it off the cluster DNS to an address where no cluster DNS answers, and that revision's
   * pods fail (no failed lookup read): no Service name it calls can resolve.
   */
  movedOffClusterDns: 0.85,
} as const;

/**
 * Name resolution failures: the cluster DNS workload is scaled down or not ready (the controller behind the kube-dns
 * Service or the resolver address the logs name, or pods labelled k8s-app=kube-dns), or a workload's own settings send
 * its lookups past the cluster DNS (ownResolver). (A name that no Service has is the configuration's fault: bad-env,
 * config-unknown-host.)
 */
export const dns: Detector = {
  id: 'dns',
  faultTypes: ['dns'],
  detect(snapshot, graph) {
    const findings: Finding[] = [];
    const failing = new Map<string, { workload: EntityRef; lines: ReturnType<typeof logLinesOf> }>();
    for (const workload of graph.workloads) {
      const pods = graph.podsOf(workload.ref).map((p) => p.metadata?.name ?? '');
      const lines = lastDistinct(
        logLinesOf(snapshot, workload.ref.namespace ?? '', pods),
        (t) => RESOLVE_ERROR.test(t),
        3,
      );
      if (lines.length > 0) failing.set(refKey(workload.ref), { workload: workload.ref, lines });
    }

    const resolvers = resolverIps([...failing.values()].flatMap((f) => f.lines.map((l) => l.text)));
    const dnsServices = snapshot.services.filter((service) => isClusterDnsService(service, resolvers));
    const dnsWorkloads = new Map<string, EntityRef>();
    for (const pod of snapshot.pods.filter(isClusterDnsPod))
      dnsWorkloads.set(refKey(graph.workloadOf(pod)), graph.workloadOf(pod));
    for (const service of dnsServices)
      for (const ref of graph.workloadsBehind(service)) if (ref.kind !== 'Pod') dnsWorkloads.set(refKey(ref), ref);
    for (const workload of dnsWorkloads.values()) {
      const pods = graph.podsOf(workload);
      const controller = graph.workload(workload);
      const desired = controller?.desiredReplicas;
      // The controller's own count: a Deployment scaled to zero has no pods left to be found not ready.
      const readyPods = pods.filter(isPodReady).length;
      const ready =
        controller?.readyReplicas === undefined
          ? readyPods
          : pods.length > 0
            ? Math.min(readyPods, controller.readyReplicas)
            : controller.readyReplicas;
      if (desired !== 0 && ready > 0 && (desired === undefined || ready >= desired)) continue;
      const victims = [...failing.values()].filter((f) => refKey(f.workload) !== refKey(workload));
      const service = dnsServices.find((s) => graph.workloadsBehind(s).some((ref) => refKey(ref) === refKey(workload)));
      const endpoints = service && endpointsOf(snapshot.endpoints, service);
      const addresses = readyAddresses(endpoints).length;
      const result: Finding = finding(dns, {
        entity: workload,
        affects: [workload, ...victims.map((f) => f.workload)],
        strength:
          victims.length > 0 && ready === 0
            ? STRENGTH.downAndFailing
            : victims.length > 0 || ready === 0
              ? STRENGTH.downOrFailing
              : STRENGTH.short,
        summary:
          desired === 0
            ? `Cluster DNS ${workload.kind} ${workload.name} is scaled to 0 replicas: name lookups fail`
            : `Cluster DNS ${workload.kind} ${workload.name} has ${ready}/${desired ?? pods.length} ready replicas`,
        evidence: [
          {
            source: 'status',
            ref: workload,
            text: `replicas ${desired ?? '?'}, ready ${ready}${pods.length > 0 ? ` (${readyPods} of ${pods.length} pods ready)` : ', no pods'}`,
          },
          ...(service
            ? [
                {
                  source: 'status' as const,
                  ref: refOf('Service', service.metadata),
                  text: `Service ${service.metadata?.name} (${service.spec?.clusterIP}) has ${addresses} ready DNS endpoints`,
                },
              ]
            : []),
          ...victims.slice(0, 2).flatMap((f) => f.lines.slice(0, 1).map(logEvidence)),
        ],
      });
      const changed = lastChange(controller?.metadata);
      if (changed) result.changedAt = changed;
      findings.push(result);
    }

    for (const { workload, lines } of failing.values()) {
      const own = ownResolver(snapshot, graph, workload, lines);
      if (own) findings.push(own);
    }
    for (const { ref } of graph.workloads) {
      if (ref.kind !== 'Deployment' || failing.has(refKey(ref))) continue;
      const own = movedOffClusterDns(snapshot, graph, ref);
      if (own) findings.push(own);
    }
    return findings;
  },
};

/**
 * A workload whose own settings send its lookups past the cluster DNS (podResolver: dnsPolicy None or Default, the
 * host network under ClusterFirst, nameservers of its own) and whose lookups fail: the Service names it asks for only
 * the cluster DNS knows. When its newest revision brought those settings, the rollout is when it began.
 */
function ownResolver(
  snapshot: ClusterSnapshot,
  graph: EvidenceGraph,
  workload: EntityRef,
  lines: PodLogLine[],
): Finding | undefined {
  const spec = graph.podSpecOf(workload);
  const resolver = podResolver(spec);
  if (resolver.asks === 'cluster') return undefined;
  const [current, previous] = workload.kind === 'Deployment' ? revisions(snapshot, workload) : [];
  const before = previous?.spec?.template?.spec;
  const introduced = before !== undefined && podResolver(before).asks === 'cluster';
  const rolledAt = current?.metadata?.creationTimestamp;
  const result = finding(dns, {
    entity: workload,
    affects: [workload],
    strength: STRENGTH.ownResolver,
    summary: `${workload.kind} ${workload.name} resolves names through ${resolver.asks === 'node' ? "the node's resolver" : 'its own DNS settings'}, not the cluster DNS (${resolver.why}), and its lookups fail${introduced ? `: revision ${revisionOf(current as ReplicaSet)} (${rolledAt}) brought these settings` : ''}`,
    evidence: [
      {
        source: 'spec',
        ref: workload,
        text: `${resolver.why}; dnsConfig ${JSON.stringify(spec?.dnsConfig ?? {})}`,
      },
      ...lines.slice(0, 2).map(logEvidence),
    ],
  });
  const changedAt = introduced ? rolledAt : lastChange(graph.workload(workload)?.metadata);
  if (changedAt) result.changedAt = changedAt;
  const remediation = introduced
    ? rollbackProposal(snapshot, workload, 'the revision that used the cluster DNS')
    : undefined;
  if (remediation) result.remediation = remediation;
  return result;
}

/**
 * A Deployment whose newest revision moved its pods off the cluster DNS (pod-resolver.ts: dnsPolicy None with
 * nameservers that are no cluster DNS address, the node's resolver), and whose pods of that revision fail since —
 * unready or restarted — though no failed lookup of theirs was read (a crash's last lines may speak only of the retry
 * or the probe): the Service names the pods call resolve nowhere else, the settings the rollout brought are the fault.
 */
function movedOffClusterDns(snapshot: ClusterSnapshot, graph: EvidenceGraph, workload: EntityRef): Finding | undefined {
  const [current, previous] = revisions(snapshot, workload);
  if (!current || !previous) return undefined;
  const spec = current.spec?.template?.spec;
  const why = leftClusterDns(previous.spec?.template?.spec, spec, clusterDnsAddresses(snapshot));
  if (!why) return undefined;
  const pods = graph
    .podsOf(workload)
    .filter((pod) => pod.metadata?.ownerReferences?.some((owner) => owner.name === current.metadata?.name));
  const failing = pods.filter((pod) => !isPodReady(pod) || hasRestarted(pod));
  if (failing.length === 0) return undefined;
  const rolledAt = current.metadata?.creationTimestamp;
  const result = finding(dns, {
    entity: workload,
    affects: [workload],
    strength: STRENGTH.movedOffClusterDns,
    summary: `${workload.kind} ${workload.name} resolves names past the cluster DNS since revision ${revisionOf(current)} (${rolledAt}) brought these settings (${why}), and ${failing.length}/${pods.length} of its pods fail since: no Service name it calls resolves`,
    evidence: [
      {
        source: 'change',
        ref: refOf('ReplicaSet', current.metadata),
        text: `revision ${revisionOf(current)}: ${why}; dnsConfig ${JSON.stringify(spec?.dnsConfig ?? {})} — revision ${revisionOf(previous)} asked the cluster DNS`,
        ...(rolledAt ? { at: rolledAt } : {}),
      },
    ],
  });
  if (rolledAt) result.changedAt = rolledAt;
  const remediation = rollbackProposal(snapshot, workload, 'the revision that used the cluster DNS');
  if (remediation) result.remediation = remediation;
  return result;
}
