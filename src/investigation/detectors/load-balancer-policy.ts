import type { EvidenceGraph } from '../evidence/graph.ts';
import { refOf } from '../evidence/graph.ts';
import { matchesSelector } from '../evidence/labels.ts';
import type { ClusterSnapshot } from '../evidence/snapshot.ts';
import { lastChange, snapshotNow, toMs } from '../evidence/time.ts';
import type { Evidence, Finding } from '../model.ts';
import { refKey } from '../model.ts';
import { type Detector, finding, seenAgain } from './detector.ts';
import { SUSPECT_CHANGE_WINDOW } from '../evidence/onset.ts';

type Pod = ClusterSnapshot['pods'][number];
type NetworkPolicy = ClusterSnapshot['networkPolicies'][number];

/** How sure a finding is (the scale: detectors/detector.ts). */
const STRENGTH = {
  /** Changed shortly before the load balancer's gate on the pods fell, and it admits nothing from outside the pods. */
  changedBeforeGateFell: 0.88,
  /** It admits nothing from outside the pods, but nothing dates a change before the gate fell. */
  standing: 0.55,
} as const;

/** A pod whose own containers are ready but which a readiness gate an outside controller sets holds unready. */
interface GatedPod {
  pod: Pod;
  gate: string;
  /** When the gate turned False. */
  since?: string;
}

/**
 * Pods whose containers are ready while a readiness gate — a condition an outside controller sets, such as a load
 * balancer's target health — is False: the load balancer's health checks do not reach them. A load balancer that
 * targets pod addresses checks them from its own addresses (or the nodes'), outside any pod, which an ingress
 * NetworkPolicy admits only by an `ipBlock` (or a rule open to every source). When every ingress policy selecting those
 * pods names pods or namespaces only, it drops the checks and the traffic: the policy is the fault, not the rollout
 * that stalls on the gate or the application that serves fine.
 */
export const loadBalancerPolicy: Detector = {
  id: 'load-balancer-policy',
  faultTypes: ['network-policy'],
  detect(snapshot, graph) {
    if (snapshot.networkPolicies.length === 0) return [];
    const findings = new Map<string, Finding>();
    for (const gated of gatedPods(snapshot)) {
      const policies = snapshot.networkPolicies.filter((policy) => isolatesIngress(policy, gated.pod));
      if (policies.length === 0 || policies.some(admitsOutsidePods)) continue;
      const policy = [...policies].sort((a, b) =>
        (lastChange(b.metadata) ?? '').localeCompare(lastChange(a.metadata) ?? ''),
      )[0] as NetworkPolicy;
      const ref = refOf('NetworkPolicy', policy.metadata);
      const workload = graph.workloadOf(gated.pod);
      const existing = findings.get(refKey(ref));
      if (existing) {
        seenAgain(existing, workload);
        continue;
      }
      findings.set(refKey(ref), judge(policy, gated, workload, snapshot));
    }
    return [...findings.values()];
  },
};

function judge(
  policy: NetworkPolicy,
  gated: GatedPod,
  workload: ReturnType<EvidenceGraph['workloadOf']>,
  snapshot: ClusterSnapshot,
): Finding {
  const ref = refOf('NetworkPolicy', policy.metadata);
  const changedAt = lastChange(policy.metadata);
  const changed = toMs(changedAt);
  const fell = toMs(gated.since) ?? snapshotNow(snapshot);
  const recent = changed !== undefined && changed <= fell && fell - changed <= SUSPECT_CHANGE_WINDOW;
  const peers = (policy.spec?.ingress ?? []).flatMap((rule) => (rule.from ?? []).map(describePeer));
  const admits = peers.length > 0 ? `admits only ${peers.join(', ')}` : 'admits no traffic';
  const podRef = refOf('Pod', gated.pod.metadata);
  const evidence: Evidence[] = [
    {
      source: 'spec',
      ref,
      text: `ingress ${admits}: no ipBlock, nothing from outside the pods`,
    },
    {
      source: 'status',
      ref: podRef,
      text: `containers ready, readiness gate ${gated.gate} False${gated.since ? ` since ${gated.since}` : ''}`,
      ...(gated.since ? { at: gated.since } : {}),
    },
    ...(recent && changedAt
      ? [{ source: 'change' as const, ref, text: `NetworkPolicy ${ref.name} changed at ${changedAt}`, at: changedAt }]
      : []),
  ];
  return finding(loadBalancerPolicy, {
    entity: ref,
    affects: [workload],
    strength: recent ? STRENGTH.changedBeforeGateFell : STRENGTH.standing,
    summary: `NetworkPolicy ${ref.name} ${admits} to ${workload.name}'s pods${recent ? ` since ${changedAt}` : ''}: the load balancer's health checks, which come from outside the pods, are dropped, so its readiness gate ${gated.gate} stays False while the containers are ready`,
    evidence,
    ...(recent && changedAt ? { changedAt } : {}),
  });
}

/** Pods with ready containers held unready by a readiness gate that is False. */
function gatedPods(snapshot: ClusterSnapshot): GatedPod[] {
  return snapshot.pods.flatMap((pod) => {
    const gates = new Set((pod.spec?.readinessGates ?? []).map((gate) => gate.conditionType));
    if (gates.size === 0) return [];
    const conditions = pod.status?.conditions ?? [];
    const containersReady = conditions.some((c) => c.type === 'ContainersReady' && c.status === 'True');
    const down = conditions.find((c) => gates.has(c.type) && c.status === 'False');
    if (!containersReady || !down) return [];
    return [{ pod, gate: down.type, ...(down.lastTransitionTime ? { since: String(down.lastTransitionTime) } : {}) }];
  });
}

/** A policy of the pod's namespace that selects it and restricts its ingress. */
function isolatesIngress(policy: NetworkPolicy, pod: Pod): boolean {
  if (policy.metadata?.namespace !== pod.metadata?.namespace) return false;
  if (!matchesSelector(pod.metadata?.labels, policy.spec?.podSelector ?? {})) return false;
  const types = policy.spec?.policyTypes;
  return types ? types.includes('Ingress') : true;
}

/** Whether a rule admits sources outside the cluster's pods: open to every source, or an ipBlock. */
const admitsOutsidePods = (policy: NetworkPolicy): boolean =>
  (policy.spec?.ingress ?? []).some(
    (rule) => (rule.from ?? []).length === 0 || (rule.from ?? []).some((peer) => !!peer.ipBlock),
  );

function describePeer(
  peer: NonNullable<NonNullable<NonNullable<NetworkPolicy['spec']>['ingress']>[number]['from']>[number],
): string {
  const labels = (selector: { matchLabels?: Record<string, string> } | undefined) =>
    Object.entries(selector?.matchLabels ?? {})
      .map(([k, v]) => `${k}=${v}`)
      .join(',') || 'any';
  if (peer.namespaceSelector && peer.podSelector)
    return `pods ${labels(peer.podSelector)} in namespaces ${labels(peer.namespaceSelector)}`;
  if (peer.namespaceSelector) return `namespaces ${labels(peer.namespaceSelector)}`;
  if (peer.podSelector) return `pods ${labels(peer.podSelector)}`;
  return 'nothing';
}
