import type { EvidenceGraph, NetworkPolicy, Service } from '../evidence/graph.ts';
import { refOf } from '../evidence/graph.ts';
import { matchesSelector } from '../evidence/labels.ts';
import { CLUSTER_DNS_NAMESPACE, DNS_LABEL, isClusterDnsPod } from '../evidence/cluster-dns.ts';
import { RESOLVE_ERROR } from '../evidence/log-line.ts';
import { lastDistinct, logEvidence, logLinesOf } from '../evidence/logs.ts';
import { HOUR, lastChange, toMs, snapshotNow } from '../evidence/time.ts';
import type { Pod } from '../evidence/workloads.ts';
import type { EntityRef, Finding } from '../model.ts';
import { refKey } from '../model.ts';
import { type Detector, finding } from './detector.ts';

type Rule = NonNullable<NonNullable<NetworkPolicy['spec']>['ingress']>[number];
type Peer = NonNullable<Rule['from']>[number];

const BLOCKED =
  /timed? ?out|deadline|i\/o timeout|context deadline exceeded|connection refused|no route to host|unavailable|connect(ion)? (error|failed)|failed to connect/i;

/** A NetworkPolicy that isolates pods from a caller that depends on them (ingress), or a caller from its peer (egress). */
export const networkPolicy: Detector = {
  id: 'network-policy',
  faultTypes: ['network-policy'],
  detect(snapshot, graph) {
    if (snapshot.networkPolicies.length === 0) return [];
    const findings = new Map<string, Finding>();
    const namespaceLabels = (name: string) => ({
      'kubernetes.io/metadata.name': name,
      ...(snapshot.namespaces.find((n) => n.metadata?.name === name)?.metadata?.labels ?? {}),
    });

    for (const workload of graph.workloads) {
      const pods = graph.podsOf(workload.ref);
      const sample =
        pods[0] ??
        ({ metadata: { namespace: workload.ref.namespace, labels: workload.template?.metadata?.labels } } as Pod);
      for (const service of graph.servicesOf(workload.ref)) {
        const ports = targetPorts(service, sample);
        for (const call of graph.callersOf(refOf('Service', service.metadata))) {
          const caller =
            graph.podsOf(call.from)[0] ??
            ({
              metadata: {
                namespace: call.from.namespace,
                labels: graph.workload(call.from)?.template?.metadata?.labels,
              },
            } as Pod);
          const ingress = isolating(graph, sample, 'Ingress');
          if (ingress.length > 0 && !ingress.some((p) => admits(p, 'from', caller, ports, namespaceLabels))) {
            blame(ingress, call.from, workload.ref, service, 'ingress');
          }
          const egress = isolating(graph, caller, 'Egress');
          if (egress.length > 0 && !egress.some((p) => admits(p, 'to', sample, ports, namespaceLabels))) {
            blame(egress, call.from, workload.ref, service, 'egress');
          }
        }
      }
    }
    // Egress isolation that forgets DNS: every name lookup of the selected pods times out. A rule lets lookups out
    // when its ports include 53 and its peers include the cluster DNS pods (read, or as every distribution labels them).
    const read = snapshot.pods.filter(isClusterDnsPod);
    const dnsPods: Pod[] =
      read.length > 0
        ? read
        : [{ metadata: { namespace: CLUSTER_DNS_NAMESPACE, labels: { [DNS_LABEL[0]]: DNS_LABEL[1] } } } as Pod];
    for (const workload of graph.workloads) {
      const pods = graph.podsOf(workload.ref);
      const sample = pods[0];
      if (!sample) continue;
      const egress = isolating(graph, sample, 'Egress');
      if (egress.length === 0 || egress.some((p) => reachesDns(p, dnsPods, namespaceLabels))) continue;
      const names = pods.map((p) => p.metadata?.name ?? '');
      if (!logLinesOf(snapshot, workload.ref.namespace ?? '', names).some((l) => RESOLVE_ERROR.test(l.text))) continue;
      blameDns(egress, workload.ref);
    }
    return [...findings.values()];

    function blameDns(policies: NetworkPolicy[], workload: EntityRef) {
      const culprit = newest(policies);
      const ref = refOf('NetworkPolicy', culprit.metadata);
      const lines = lastDistinct(
        logLinesOf(
          snapshot,
          workload.namespace ?? '',
          graph.podsOf(workload).map((p) => p.metadata?.name ?? ''),
        ),
        (t) => RESOLVE_ERROR.test(t),
        1,
      );
      const existing = findings.get(refKey(ref));
      if (existing) {
        existing.affects.push(workload);
        return;
      }
      const fault: Finding = finding(networkPolicy, {
        entity: ref,
        affects: [workload],
        strength: 0.85,
        summary: `NetworkPolicy ${ref.name} isolates the egress of ${workload.name} without allowing DNS (port 53): its name lookups fail`,
        evidence: [
          {
            source: 'spec',
            ref,
            text: `egress rules of ${policies.map((p) => p.metadata?.name).join(', ')} admit no lookup to the cluster DNS (port 53 of its pods in ${CLUSTER_DNS_NAMESPACE})`,
          },
          ...lines.map(logEvidence),
        ],
        remediation: {
          summary: `Delete NetworkPolicy ${ref.name}`,
          action: { type: 'delete-network-policy', namespace: ref.namespace ?? '', name: ref.name },
        },
      });
      const changedAt = lastChange(culprit.metadata);
      if (changedAt) fault.changedAt = changedAt;
      findings.set(refKey(ref), fault);
    }

    function blame(
      policies: NetworkPolicy[],
      caller: EntityRef,
      target: EntityRef,
      service: Service,
      direction: string,
    ) {
      const culprit = [...policies].sort((a, b) =>
        (lastChange(b.metadata) ?? '').localeCompare(lastChange(a.metadata) ?? ''),
      )[0] as NetworkPolicy;
      const ref = refOf('NetworkPolicy', culprit.metadata);
      const key = refKey(ref);
      const callerPods = graph.podsOf(caller).map((p) => p.metadata?.name ?? '');
      const errors = lastDistinct(logLinesOf(snapshot, caller.namespace ?? '', callerPods), (t) => BLOCKED.test(t), 1);
      const existing = findings.get(key);
      const text = `${direction} of ${target.name}: no rule of ${policies.map((p) => p.metadata?.name).join(', ')} admits ${caller.name}, which calls Service ${service.metadata?.name}`;
      if (existing) {
        if (!existing.affects.some((a) => refKey(a) === refKey(caller))) existing.affects.push(caller);
        existing.evidence.push({ source: 'spec', ref, text }, ...errors.map(logEvidence));
        if (errors.length > 0) existing.strength = 0.9;
        return;
      }
      const changedAt = lastChange(culprit.metadata);
      const fault: Finding = finding(networkPolicy, {
        entity: ref,
        affects: [caller],
        strength: errors.length > 0 ? 0.9 : 0.75,
        summary: `NetworkPolicy ${ref.name} blocks ${caller.name} → ${service.metadata?.name} (${direction})`,
        evidence: [{ source: 'spec', ref, text }, ...errors.map(logEvidence)],
      });
      if (changedAt) fault.changedAt = changedAt;
      const created = toMs(culprit.metadata?.creationTimestamp);
      const now = snapshotNow(snapshot);
      const previous = previousManifest(culprit);
      fault.remediation =
        previous && !(created !== undefined && now - created < 24 * HOUR)
          ? {
              summary: `Restore NetworkPolicy ${ref.name} to its last applied rules`,
              action: {
                type: 'restore-network-policy',
                namespace: ref.namespace ?? '',
                name: ref.name,
                manifest: previous,
              },
            }
          : {
              summary: `Delete NetworkPolicy ${ref.name}${created !== undefined ? ` (created ${culprit.metadata?.creationTimestamp})` : ''}`,
              action: { type: 'delete-network-policy', namespace: ref.namespace ?? '', name: ref.name },
            };
      findings.set(key, fault);
    }
  },
};

const newest = (policies: NetworkPolicy[]): NetworkPolicy =>
  [...policies].sort((a, b) =>
    (lastChange(b.metadata) ?? '').localeCompare(lastChange(a.metadata) ?? ''),
  )[0] as NetworkPolicy;

const DNS_PORTS: (number | string)[] = [53, 'dns', 'dns-tcp'];

/** Whether some egress rule of the policy admits a cluster DNS pod on port 53. */
function reachesDns(
  policy: NetworkPolicy,
  dnsPods: Pod[],
  namespaceLabels: (name: string) => Record<string, string>,
): boolean {
  return dnsPods.some((pod) => admits(policy, 'to', pod, DNS_PORTS, namespaceLabels));
}

function isolating(graph: EvidenceGraph, pod: Pod, direction: 'Ingress' | 'Egress'): NetworkPolicy[] {
  return graph.policiesSelecting(pod).filter((policy) => {
    const types = policy.spec?.policyTypes ?? (policy.spec?.egress ? ['Ingress', 'Egress'] : ['Ingress']);
    return types.includes(direction);
  });
}

function targetPorts(service: Service, pod: Pod): (number | string)[] {
  const containerPorts = (pod.spec?.containers ?? []).flatMap((c) => c.ports ?? []);
  return (service.spec?.ports ?? []).flatMap((p) => {
    const target = p.targetPort ?? p.port;
    const named = containerPorts.find((c) => c.name === target);
    return named
      ? [named.containerPort, named.name ?? '']
      : [typeof target === 'string' && /^\d+$/.test(target) ? Number(target) : target];
  });
}

function admits(
  policy: NetworkPolicy,
  side: 'from' | 'to',
  peer: Pod,
  ports: (number | string)[],
  namespaceLabels: (name: string) => Record<string, string>,
): boolean {
  const policyNamespace = policy.metadata?.namespace ?? '';
  const rules: Rule[] = (side === 'from' ? policy.spec?.ingress : policy.spec?.egress) ?? [];
  return rules.some((rule) => {
    const peers = ((rule as Record<string, unknown>)[side] as Peer[] | undefined) ?? [];
    const rulePorts = rule.ports ?? [];
    const portOk =
      rulePorts.length === 0 ||
      rulePorts.some(
        (p) => p.port === undefined || ports.includes(p.port as number | string) || ports.includes(Number(p.port)),
      );
    if (!portOk) return false;
    if (peers.length === 0) return true;
    return peers.some((candidate) => {
      // An ipBlock admits in-cluster destinations by their pod IP; a destination whose IP is unknown may be in it.
      if (candidate.ipBlock) {
        if (side === 'from') return false;
        return peer.status?.podIP === undefined || inBlock(peer.status.podIP, candidate.ipBlock);
      }
      const nsOk = candidate.namespaceSelector
        ? matchesSelector(namespaceLabels(peer.metadata?.namespace ?? ''), candidate.namespaceSelector)
        : peer.metadata?.namespace === policyNamespace;
      const podOk = candidate.podSelector ? matchesSelector(peer.metadata?.labels, candidate.podSelector) : true;
      return nsOk && podOk;
    });
  });
}

function previousManifest(policy: NetworkPolicy): Record<string, unknown> | undefined {
  const applied = policy.metadata?.annotations?.['kubectl.kubernetes.io/last-applied-configuration'];
  if (!applied) return undefined;
  try {
    const manifest = JSON.parse(applied) as Record<string, unknown>;
    return JSON.stringify((manifest as { spec?: unknown }).spec) === JSON.stringify(policy.spec) ? undefined : manifest;
  } catch {
    return undefined;
  }
}

/** Whether an IPv4 address falls in an ipBlock's CIDR and outside its exceptions. */
function inBlock(ip: string, block: { cidr: string; except?: string[] }): boolean {
  const within = (cidr: string) => {
    const [base, bits] = cidr.split('/');
    const size = Number(bits ?? 32);
    const toInt = (address: string) => address.split('.').reduce((n, part) => n * 256 + Number(part), 0);
    if (!base || !/^\d+(\.\d+){3}$/.test(base) || !/^\d+(\.\d+){3}$/.test(ip)) return false;
    const mask = size === 0 ? 0 : 2 ** 32 - 2 ** (32 - size);
    return (toInt(ip) & mask) >>> 0 === (toInt(base) & mask) >>> 0;
  };
  return within(block.cidr) && !(block.except ?? []).some(within);
}
