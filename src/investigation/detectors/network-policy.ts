import type { EvidenceGraph, NetworkPolicy, Service } from '../evidence/graph.ts';
import { anyOf, CONNECT_TIMEOUT, GAVE_UP, REFUSED, UNREACHABLE } from '../evidence/connection-failures.ts';
import { refOf } from '../evidence/graph.ts';
import { matchesSelector } from '../evidence/labels.ts';
import { namedByDns } from '../evidence/cni-policies.ts';
import { CLUSTER_DNS_NAMESPACE, DNS_LABEL, isClusterDnsPod } from '../evidence/cluster-dns.ts';
import { RESOLVE_ERROR } from '../evidence/log-line.ts';
import { lastDistinct, logEvidence, logLinesOf, type PodLogLine } from '../evidence/logs.ts';
import { HOUR, lastChange, toMs, snapshotNow } from '../evidence/time.ts';
import type { Pod, Workload } from '../evidence/workloads.ts';
import type { EntityRef, Finding, RemediationProposal } from '../model.ts';
import type { ClusterSnapshot } from '../evidence/snapshot.ts';
import { refKey } from '../model.ts';
import { type Detector, finding, seenAgain } from './detector.ts';
import { changedBeforeOnset, symptomOnset, type Onset } from '../evidence/onset.ts';

type Rule = NonNullable<NonNullable<NetworkPolicy['spec']>['ingress']>[number];
type Peer = NonNullable<Rule['from']>[number];

/** How sure each finding is (the scale: ranking/weights.ts). */
const STRENGTH = {
  /** Its rules admit a call the graph shows, and the caller's log shows connections failing: seen both ways. */
  blockedWithErrors: 0.9,
  /** Its rules admit a call the graph shows, but the caller logs no failure (it may retry quietly, or not call now). */
  blocked: 0.75,
  /**
   * Older policies admit the call, but one changed after them does not, and the caller's connections to the Service
   * go unanswered: with a plugin that orders its policies, the newer one decides first.
   */
  overridden: 0.7,
  /** Egress isolated without port 53 to the cluster DNS, and the pods' lookups fail: the rules and the errors agree. */
  lookupsCutOff: 0.85,
  /** Egress isolated, and the pods' connections time out to an address outside the cluster no rule admits. */
  addressCutOff: 0.85,
  /**
   * Changed shortly before the symptom, it isolates running pods for ingress, and a rule of it admits only namespaces
   * whose labels no namespace carries: whatever that rule was written to let in (a router, a client namespace) is cut.
   */
  admitsNoNamespace: 0.8,
} as const;

const BLOCKED = anyOf(
  REFUSED,
  CONNECT_TIMEOUT,
  UNREACHABLE,
  GAVE_UP,
  'timed? ?out|deadline|unavailable|connect(ion)? (error|failed)',
);

/**
 * A NetworkPolicy that isolates pods from a caller that depends on them (ingress), or a caller from its peer (egress).
 *
 * Kubernetes' semantics: a pod selected by any policy of a direction is isolated in that direction, and admits what
 * the union of those policies' rules admits — a rule admits a caller when one of its peers matches it (namespaceSelector
 * AND podSelector of one peer; the policy's own namespace without a namespaceSelector) on the server's port (a number,
 * a named port, or a range to endPort). A call across namespaces passes the server's ingress, decided by the
 * policies of the server's namespace (read there: evidence/policy-guarded-peers.ts), and the caller's egress, by its
 * own. When no rule admits a call the graph shows, the policy set is the cause and the callers whose connections time
 * out, or whose readiness probe checking the dependency fails, are its victims; the policy named is the newest of
 * the set (the change that made it deny).
 */
export const networkPolicy: Detector = {
  id: 'network-policy',
  faultTypes: ['network-policy'],
  detect(snapshot, graph, alert) {
    if (snapshot.networkPolicies.length === 0) return [];
    const namespaceLabels = namespaceLabelsOf(snapshot);
    const findings = new Map<string, Finding>();
    for (const call of blockedCalls(snapshot, graph, namespaceLabels))
      blameBlockedCall(findings, call, snapshot, graph);
    for (const cut of lookupsCutOff(snapshot, graph, namespaceLabels))
      blameLookupsCutOff(findings, cut, snapshot, graph);
    for (const cut of addressesCutOff(snapshot, graph)) blameAddressesCutOff(findings, cut);
    for (const dead of rulesAdmittingNoNamespace(
      snapshot,
      graph,
      namespaceLabels,
      symptomOnset(snapshot, alert?.startsAt),
    ))
      if (!findings.has(refKey(dead.entity))) findings.set(refKey(dead.entity), dead);
    return [...findings.values()];
  },
};

type NamespaceLabels = (name: string) => Record<string, string>;

/** A namespace's labels, including the name label every namespace carries (read or not). */
const namespaceLabelsOf =
  (snapshot: ClusterSnapshot): NamespaceLabels =>
  (name) => ({
    'kubernetes.io/metadata.name': name,
    ...(snapshot.namespaces.find((n) => n.metadata?.name === name)?.metadata?.labels ?? {}),
  });

/**
 * Whether a policy selecting the workload's pods admits every call the graph shows on the sides it isolates: each
 * caller of the workload's Services (ingress), each Service the workload calls (egress). A policy whose rules let all of
 * them through refuses nothing on the symptom's path, however recently it changed. No call seen, or a callee whose pods
 * were not read: not known to admit. Isolated egress must also let lookups out: a call by Service name starts with one.
 */
export function admitsEveryCall(
  snapshot: ClusterSnapshot,
  graph: EvidenceGraph,
  policy: NetworkPolicy,
  workload: EntityRef,
): boolean {
  const own = graph.workload(workload);
  if (!own) return false;
  const sample = samplePod(graph, own);
  const namespaceLabels = namespaceLabelsOf(snapshot);
  const types = policy.spec?.policyTypes ?? (policy.spec?.egress ? ['Ingress', 'Egress'] : ['Ingress']);
  const podOf = (ref: EntityRef) => samplePod(graph, graph.workload(ref) ?? { ref });
  const calls = [
    ...(types.includes('Ingress')
      ? graph
          .servicesOf(workload)
          .flatMap((service) =>
            graph
              .callersOf(refOf('Service', service.metadata))
              .map(
                (call) => () => admitsOnEveryPort(policy, 'from', podOf(call.from), service, sample, namespaceLabels),
              ),
          )
      : []),
    ...(types.includes('Egress')
      ? graph.dependenciesOf(workload).flatMap((call) => {
          const service = graph.service(call.to.namespace ?? '', call.to.name);
          const callee = service ? graph.podsSelectedBy(service)[0] : undefined;
          // A callee whose pods were not read may be one the rules leave out: not known to be admitted.
          return [
            () => !!service && !!callee && admitsOnEveryPort(policy, 'to', callee, service, callee, namespaceLabels),
          ];
        })
      : []),
  ];
  const lookups = !types.includes('Egress') || reachesDns(policy, clusterDnsPods(snapshot), namespaceLabels);
  return calls.length > 0 && calls.every((admitted) => admitted()) && lookups;
}

/** Which of a Service's ports a call uses is not known: admitted for sure only when every one of them is. */
const admitsOnEveryPort = (
  policy: NetworkPolicy,
  side: 'from' | 'to',
  peer: Pod,
  service: Service,
  server: Pod,
  namespaceLabels: NamespaceLabels,
): boolean => targetPortsEach(service, server).every((port) => admits(policy, side, peer, port, namespaceLabels));

/** A call from a workload to a Service that the policies isolating one side admit no rule for. */
interface BlockedCall {
  policies: NetworkPolicy[];
  caller: EntityRef;
  target: EntityRef;
  service: Service;
  direction: 'ingress' | 'egress';
  /** Older policies admit the call; this newer one does not (see overriding). */
  overriding?: boolean;
  /** Of the older policies that admit it, one is Kubernetes' own NetworkPolicy. */
  admittedByKubernetes?: boolean;
}

/** A workload's first pod, or (none running) a stand-in with its template's labels: what policies would select. */
const samplePod = (graph: EvidenceGraph, workload: Workload): Pod =>
  graph.podsOf(workload.ref)[0] ??
  ({ metadata: { namespace: workload.ref.namespace, labels: workload.template?.metadata?.labels } } as Pod);

/** Every call (a dependency edge to a Service) that the callee's ingress or the caller's egress isolation refuses. */
function blockedCalls(
  snapshot: ClusterSnapshot,
  graph: EvidenceGraph,
  namespaceLabels: NamespaceLabels,
): BlockedCall[] {
  const blocked: BlockedCall[] = [];
  for (const workload of graph.workloads) {
    const target = workload.ref;
    const sample = samplePod(graph, workload);
    for (const service of graph.servicesOf(target)) {
      const ports = targetPorts(service, sample);
      for (const call of graph.callersOf(refOf('Service', service.metadata))) {
        const caller = samplePod(graph, graph.workload(call.from) ?? { ref: call.from });
        const unanswered = () => connectionsUnanswered(snapshot, graph, call.from, service);
        const sides = [
          {
            direction: 'ingress' as const,
            policies: isolating(graph, sample, 'Ingress'),
            side: 'from' as const,
            peer: caller,
          },
          {
            direction: 'egress' as const,
            policies: isolating(graph, caller, 'Egress'),
            side: 'to' as const,
            peer: sample,
          },
        ];
        for (const { direction, policies, side, peer } of sides) {
          if (policies.length === 0) continue;
          const admitting = policies.filter((p) => admits(p, side, peer, ports, namespaceLabels));
          if (admitting.length === 0) {
            if (standsUnfelt(snapshot, policies, unanswered)) continue;
            blocked.push({ policies, caller: call.from, target, service, direction });
            continue;
          }
          const overriding = overridingPolicy(snapshot, policies, admitting);
          if (overriding && unanswered()) {
            blocked.push({
              policies: [overriding],
              caller: call.from,
              target,
              service,
              direction,
              overriding: true,
              admittedByKubernetes: admitting.some(isKubernetesPolicy),
            });
          }
        }
      }
    }
  }
  return blocked;
}

/**
 * How long the policies on a call must have stood unchanged before a refusal the caller does not feel is no refusal.
 * A week: longer than any quiet spell of a caller that runs on a schedule, far shorter than a policy set up with the
 * namespace and never touched.
 */
const STANDING_POLICY = 7 * 24 * HOUR;

/**
 * Policies that have stood unchanged for long (the newest changed more than STANDING_POLICY ago) while the caller's
 * lines show no connection to the Service going unanswered: the call has flowed under them all that time, so whatever
 * admits it (a rule of the network plugin or of the cluster the namespace's policies do not show, a platform default)
 * does, and they refuse nothing this incident is made of. A refusal is blamed when it is new or when it is felt.
 */
function standsUnfelt(snapshot: ClusterSnapshot, policies: NetworkPolicy[], unanswered: () => boolean): boolean {
  const changed = toMs(lastChange(newest(policies).metadata));
  if (changed === undefined || snapshotNow(snapshot) - changed <= STANDING_POLICY) return false;
  return !unanswered();
}

/** How recent a change must be to override older policies (the incident's time, not a long-standing rule). */
const OVERRIDE_WINDOW = 24 * HOUR;

/**
 * A policy that does not admit the call, changed after every policy that does and within the day: where policies are
 * ordered (a network plugin's own kinds carry an order or a priority), the newest rule written for these pods is the
 * one that decides — and what changed just before the connections stopped is what stopped them.
 */
function overridingPolicy(
  snapshot: ClusterSnapshot,
  policies: NetworkPolicy[],
  admitting: NetworkPolicy[],
): NetworkPolicy | undefined {
  const candidate = newest(policies.filter((p) => !admitting.includes(p)));
  const changed = toMs(lastChange(candidate?.metadata));
  if (!candidate || changed === undefined || snapshotNow(snapshot) - changed > OVERRIDE_WINDOW) return undefined;
  return admitting.every((p) => (toMs(lastChange(p.metadata)) ?? 0) < changed) ? candidate : undefined;
}

/** Whether the caller's error lines show connections to the Service (its address or name) dropped or timing out. */
function connectionsUnanswered(
  snapshot: ClusterSnapshot,
  graph: EvidenceGraph,
  caller: EntityRef,
  service: Service,
): boolean {
  const name = service.metadata?.name ?? '';
  const addresses = [service.spec?.clusterIP, ...(service.spec?.clusterIPs ?? [])].filter(
    (a): a is string => !!a && a !== 'None',
  );
  const names = (text: string) =>
    addresses.some((a) => text.includes(`${a}:`)) || new RegExp(`(?<![\\w-])${name}(?![\\w-])`).test(text);
  return errorsOf(snapshot, graph, caller).some((l) => UNANSWERED_CONNECT.test(l.text) && names(l.text));
}

/**
 * Egress isolation that forgets DNS: every name lookup of the selected pods times out. A rule lets lookups out when
 * its ports include 53 and its peers include the cluster DNS pods (read, or as every distribution labels them).
 * Only workloads whose logs show lookups failing.
 */
function lookupsCutOff(
  snapshot: ClusterSnapshot,
  graph: EvidenceGraph,
  namespaceLabels: NamespaceLabels,
): { policies: NetworkPolicy[]; workload: EntityRef }[] {
  const dnsPods = clusterDnsPods(snapshot);
  return graph.workloads.flatMap(({ ref: workload }) => {
    const sample = graph.podsOf(workload)[0];
    if (!sample) return [];
    const egress = isolating(graph, sample, 'Egress');
    if (egress.length === 0 || egress.some((p) => reachesDns(p, dnsPods, namespaceLabels))) return [];
    if (!errorsOf(snapshot, graph, workload).some((l) => RESOLVE_ERROR.test(l.text))) return [];
    return [{ policies: egress, workload }];
  });
}

const errorsOf = (snapshot: ClusterSnapshot, graph: EvidenceGraph, workload: EntityRef) =>
  logLinesOf(
    snapshot,
    workload.namespace ?? '',
    graph.podsOf(workload).map((p) => p.metadata?.name ?? ''),
  );

/** The newest of the policies is blamed (one finding per policy, every call it blocks as evidence). */
function blameBlockedCall(
  findings: Map<string, Finding>,
  { policies, caller, target, service, direction, overriding, admittedByKubernetes }: BlockedCall,
  snapshot: ClusterSnapshot,
  graph: EvidenceGraph,
): void {
  const culprit = newest(policies);
  const ref = refOf(culprit.kind ?? 'NetworkPolicy', culprit.metadata);
  const key = refKey(ref);
  const errors = lastDistinct(errorsOf(snapshot, graph, caller), (t) => BLOCKED.test(t), 1);
  const existing = findings.get(key);
  // Ingress is the server's side (what it admits from the caller); egress the caller's (what it may reach).
  const [isolated, peer] = direction === 'ingress' ? [target.name, caller.name] : [caller.name, target.name];
  const text = overriding
    ? `${direction} of ${isolated}: ${culprit.metadata?.name}, changed ${lastChange(culprit.metadata)} after the policies that admit ${peer}, admits it in no rule, and ${caller.name}'s connections to Service ${service.metadata?.name} go unanswered`
    : `${direction} of ${isolated}: no rule of ${policies.map((p) => p.metadata?.name).join(', ')} admits ${peer}${direction === 'ingress' ? `, which calls Service ${service.metadata?.name}` : ` (Service ${service.metadata?.name}), which it calls`}`;
  if (existing) {
    seenAgain(existing, caller, { source: 'spec', ref, text }, ...errors.map(logEvidence));
    if (errors.length > 0 && !overriding) existing.strength = STRENGTH.blockedWithErrors;
    return;
  }
  const fault: Finding = finding(networkPolicy, {
    entity: ref,
    affects: [caller],
    strength: overriding ? STRENGTH.overridden : errors.length > 0 ? STRENGTH.blockedWithErrors : STRENGTH.blocked,
    summary: `${ref.kind} ${ref.name} blocks ${caller.name} → ${service.metadata?.name} (${direction})`,
    evidence: [{ source: 'spec', ref, text }, ...errors.map(logEvidence)],
  });
  const changedAt = lastChange(culprit.metadata);
  if (changedAt) fault.changedAt = changedAt;
  // The catalogue's network-policy is Kubernetes' NetworkPolicy. Here one admits the call and the network plugin's own
  // policy, ordered before it, refuses it: the fault lies in the plugin's policy layer, which the catalogue has no
  // type for.
  if (admittedByKubernetes && !isKubernetesPolicy(culprit)) fault.namedAs = 'other';
  // A network plugin's own policy kind is changed through its own API: the plans below are for NetworkPolicies.
  if (isKubernetesPolicy(culprit)) fault.remediation = undoPolicy(culprit, ref, snapshot);
  findings.set(key, fault);
}

/**
 * Restore the rules last applied when the policy is not new (a day or more old) and kubectl's annotation holds
 * different ones; else delete it (a policy created for the incident's window is the change to undo).
 */
function undoPolicy(culprit: NetworkPolicy, ref: EntityRef, snapshot: ClusterSnapshot): RemediationProposal {
  const created = toMs(culprit.metadata?.creationTimestamp);
  const previous = previousManifest(culprit);
  if (previous && !(created !== undefined && snapshotNow(snapshot) - created < 24 * HOUR)) {
    return {
      summary: `Restore NetworkPolicy ${ref.name} to its last applied rules`,
      action: { type: 'restore-network-policy', namespace: ref.namespace ?? '', name: ref.name, manifest: previous },
    };
  }
  return {
    summary: `Delete NetworkPolicy ${ref.name}${created !== undefined ? ` (created ${culprit.metadata?.creationTimestamp})` : ''}`,
    action: { type: 'delete-network-policy', namespace: ref.namespace ?? '', name: ref.name },
  };
}

function blameLookupsCutOff(
  findings: Map<string, Finding>,
  { policies, workload }: { policies: NetworkPolicy[]; workload: EntityRef },
  snapshot: ClusterSnapshot,
  graph: EvidenceGraph,
): void {
  const culprit = newest(policies);
  const ref = refOf(culprit.kind ?? 'NetworkPolicy', culprit.metadata);
  const existing = findings.get(refKey(ref));
  if (existing) {
    existing.affects.push(workload);
    return;
  }
  const lines = lastDistinct(errorsOf(snapshot, graph, workload), (t) => RESOLVE_ERROR.test(t), 1);
  const fault: Finding = finding(networkPolicy, {
    entity: ref,
    affects: [workload],
    strength: STRENGTH.lookupsCutOff,
    summary: `${ref.kind} ${ref.name} isolates the egress of ${workload.name} without allowing DNS (port 53): its name lookups fail`,
    evidence: [
      {
        source: 'spec',
        ref,
        text: `egress rules of ${policies.map((p) => p.metadata?.name).join(', ')} admit no lookup to the cluster DNS (port 53 of its pods in ${CLUSTER_DNS_NAMESPACE})`,
      },
      ...lines.map(logEvidence),
    ],
    ...(isKubernetesPolicy(culprit)
      ? {
          remediation: {
            summary: `Delete NetworkPolicy ${ref.name}`,
            action: { type: 'delete-network-policy' as const, namespace: ref.namespace ?? '', name: ref.name },
          },
        }
      : {}),
  });
  const changedAt = lastChange(culprit.metadata);
  if (changedAt) fault.changedAt = changedAt;
  findings.set(refKey(ref), fault);
}

/** Kubernetes' own NetworkPolicy (a plugin's namespaced kind may share its name, in a group of its own). */
const isKubernetesPolicy = (policy: NetworkPolicy): boolean =>
  (policy.kind ?? 'NetworkPolicy') === 'NetworkPolicy' &&
  (policy.apiVersion ?? 'networking.k8s.io/v1').startsWith('networking.k8s.io/');

const newest = (policies: NetworkPolicy[]): NetworkPolicy =>
  [...policies].sort((a, b) =>
    (lastChange(b.metadata) ?? '').localeCompare(lastChange(a.metadata) ?? ''),
  )[0] as NetworkPolicy;

const DNS_PORTS: (number | string)[] = [53, 'dns', 'dns-tcp'];

/** The cluster DNS pods read, else one labelled as every distribution labels them: where lookups go. */
function clusterDnsPods(snapshot: ClusterSnapshot): Pod[] {
  const read = snapshot.pods.filter(isClusterDnsPod);
  return read.length > 0
    ? read
    : [{ metadata: { namespace: CLUSTER_DNS_NAMESPACE, labels: { [DNS_LABEL[0]]: DNS_LABEL[1] } } } as Pod];
}

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
  return targetPortsEach(service, pod).flat();
}

/** Each port of the Service as the pod serves it: its number, and its name when the target is a named port. */
function targetPortsEach(service: Service, pod: Pod): (number | string)[][] {
  const containerPorts = (pod.spec?.containers ?? []).flatMap((c) => c.ports ?? []);
  return (service.spec?.ports ?? []).map((p) => {
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
        (p) =>
          p.port === undefined ||
          ports.includes(p.port as number | string) ||
          ports.includes(Number(p.port)) ||
          inPortRange(p, ports),
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

/** A rule's port with an end (`port`..`endPort`, numbers only) admits every numbered port of the range. */
function inPortRange(rule: { port?: number | string; endPort?: number }, ports: (number | string)[]): boolean {
  const start = Number(rule.port);
  const end = rule.endPort;
  if (end === undefined || !Number.isFinite(start)) return false;
  return ports.some((port) => typeof port === 'number' && port >= start && port <= end);
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

/** A connection that never got an answer (dropped packets: what a policy does), to an address and port. */
const UNANSWERED_CONNECT = anyOf(CONNECT_TIMEOUT, UNREACHABLE);
const ADDRESS = /\b(\d{1,3}(?:\.\d{1,3}){3}):(\d{1,5})\b/;

interface AddressCutOff {
  policies: NetworkPolicy[];
  workload: EntityRef;
  address: string;
  port: number;
  line: PodLogLine;
}

/**
 * Egress isolation that admits no rule to an address the pods fail to connect to: a destination outside the cluster
 * (no pod or Service read holds the address) is admitted only by an ipBlock holding it, or by a rule with no peers,
 * on its port. The connections time out: the policy drops them. Only addresses the pods' own lines show unanswered,
 * so a rule written for the wrong range (a typo in a CIDR) is found, whenever the next connection was attempted.
 */
function addressesCutOff(snapshot: ClusterSnapshot, graph: EvidenceGraph): AddressCutOff[] {
  const inCluster = new Set<string>([
    ...snapshot.pods.map((p) => p.status?.podIP ?? ''),
    ...snapshot.services.flatMap((s) => [s.spec?.clusterIP ?? '', ...(s.spec?.clusterIPs ?? [])]),
  ]);
  return graph.workloads.flatMap(({ ref: workload }) => {
    const sample = graph.podsOf(workload)[0];
    if (!sample) return [];
    const egress = isolating(graph, sample, 'Egress');
    if (egress.length === 0) return [];
    const cut = new Map<string, AddressCutOff>();
    for (const line of errorsOf(snapshot, graph, workload)) {
      const match = UNANSWERED_CONNECT.test(line.text) ? ADDRESS.exec(line.text) : null;
      const address = match?.[1];
      const port = Number(match?.[2]);
      if (!address || inCluster.has(address) || cut.has(`${address}:${port}`)) continue;
      if (egress.some((policy) => admitsAddress(policy, address, port))) continue;
      cut.set(`${address}:${port}`, { policies: egress, workload, address, port, line });
    }
    return [...cut.values()];
  });
}

/** Whether an egress rule of the policy admits a destination outside the cluster on this port. */
function admitsAddress(policy: NetworkPolicy, address: string, port: number): boolean {
  return (policy.spec?.egress ?? []).some((rule) => {
    const ports = rule.ports ?? [];
    const portOk = ports.length === 0 || ports.some((p) => p.port === undefined || Number(p.port) === port);
    const peers = rule.to ?? [];
    return (
      portOk &&
      (peers.length === 0 ||
        peers.some((peer) => peer.ipBlock && (namedByDns(peer.ipBlock) || inBlock(address, peer.ipBlock))))
    );
  });
}

function blameAddressesCutOff(findings: Map<string, Finding>, cut: AddressCutOff): void {
  const culprit = newest(cut.policies);
  const ref = refOf(culprit.kind ?? 'NetworkPolicy', culprit.metadata);
  const key = refKey(ref);
  const text = `egress of ${cut.workload.name}: no rule of ${cut.policies.map((p) => p.metadata?.name).join(', ')} admits ${cut.address}:${cut.port}, where its connections time out`;
  const existing = findings.get(key);
  if (existing) {
    seenAgain(existing, cut.workload, { source: 'spec', ref, text }, logEvidence(cut.line));
    return;
  }
  const fault: Finding = finding(networkPolicy, {
    entity: ref,
    affects: [cut.workload],
    strength: STRENGTH.addressCutOff,
    summary: `${ref.kind} ${ref.name} isolates the egress of ${cut.workload.name} and admits no rule to ${cut.address}:${cut.port}: its connections there time out`,
    evidence: [{ source: 'spec', ref, text }, logEvidence(cut.line)],
  });
  const changedAt = lastChange(culprit.metadata);
  if (changedAt) fault.changedAt = changedAt;
  findings.set(key, fault);
}

/**
 * Ingress policies changed within the suspect window that select pods read, with a rule whose every peer selects
 * namespaces by labels that no namespace in the cluster carries (the namespace list read in full): the rule admits
 * nothing — a label mistyped or renamed — and what it was written for (the edge router's namespace, a client's) is cut
 * off, whether or not a caller of it was read.
 */
function rulesAdmittingNoNamespace(
  snapshot: ClusterSnapshot,
  graph: EvidenceGraph,
  namespaceLabels: NamespaceLabels,
  onset: Onset,
): Finding[] {
  if (snapshot.namespaces.length === 0 || snapshot.incomplete.some((read) => read.kind === 'Namespace')) return [];
  const names = snapshot.namespaces.map((n) => n.metadata?.name ?? '');
  return snapshot.networkPolicies.flatMap((policy): Finding[] => {
    const changedAt = lastChange(policy.metadata);
    if (!changedBeforeOnset(changedAt, onset)) return [];
    const types = policy.spec?.policyTypes ?? ['Ingress'];
    if (!types.includes('Ingress')) return [];
    const dead = (policy.spec?.ingress ?? []).find(
      (rule) =>
        (rule.from ?? []).length > 0 &&
        (rule.from ?? []).every(
          (peer) =>
            !!peer.namespaceSelector &&
            !names.some((name) => matchesSelector(namespaceLabels(name), peer.namespaceSelector)),
        ),
    );
    if (!dead) return [];
    const selected = graph.workloads.filter(({ ref }) =>
      graph.podsOf(ref).some((pod) => graph.policiesSelecting(pod).includes(policy)),
    );
    if (selected.length === 0) return [];
    const ref = refOf(policy.kind ?? 'NetworkPolicy', policy.metadata);
    const wanted = (dead.from ?? []).map((peer) =>
      JSON.stringify(peer.namespaceSelector?.matchLabels ?? peer.namespaceSelector),
    );
    const fault: Finding = finding(networkPolicy, {
      entity: ref,
      affects: selected.map((w) => w.ref),
      strength: STRENGTH.admitsNoNamespace,
      summary: `${ref.kind} ${ref.name}, changed ${changedAt}, isolates ${selected.map((w) => w.ref.name).join(', ')} and its rule admits only namespaces labelled ${wanted.join(' or ')}, which no namespace is: that rule admits nothing`,
      evidence: [
        {
          source: 'spec',
          ref,
          text: `ingress rule from namespaceSelector ${wanted.join(', ')}: none of the ${names.length} namespaces carries those labels`,
        },
        {
          source: 'change',
          ref,
          text: `${ref.name} last changed at ${changedAt}`,
          ...(changedAt ? { at: changedAt } : {}),
        },
      ],
      ...(changedAt ? { changedAt } : {}),
    });
    if (isKubernetesPolicy(policy)) fault.remediation = undoPolicy(policy, ref, snapshot);
    return [fault];
  });
}
