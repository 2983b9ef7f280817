import type { EvidenceGraph } from '../evidence/graph.ts';
import { refOf } from '../evidence/graph.ts';
import { matchesSelector } from '../evidence/labels.ts';
import { lastDistinct, logEvidence, logLinesOf } from '../evidence/logs.ts';
import type { ClusterSnapshot } from '../evidence/snapshot.ts';
import { lastChange, snapshotNow, toMs } from '../evidence/time.ts';
import type { EntityRef, Finding } from '../model.ts';
import { refKey } from '../model.ts';
import { type Detector, finding } from './detector.ts';
import { SUSPECT_CHANGE_WINDOW } from '../evidence/onset.ts';

type NetworkPolicy = ClusterSnapshot['networkPolicies'][number];
type Peer = NonNullable<NonNullable<NonNullable<NetworkPolicy['spec']>['ingress']>[number]['from']>[number];
type Pod = ClusterSnapshot['pods'][number];

/** How sure a finding is (the scale: detectors/detector.ts). */
const STRENGTH = {
  /** Changed shortly before the callers' connections began to time out. */
  changedBeforeTimeouts: 0.85,
  /** Nothing dates a change: the near miss may be old, the timeouts another cause's. */
  standing: 0.55,
} as const;

const TIMED_OUT = /timed? ?out|ETIMEDOUT|deadline exceeded/i;

/** A caller whose connections time out, and the lines that say so. */
interface Caller {
  workload: EntityRef;
  pods: Pod[];
  lines: ReturnType<typeof logLinesOf>;
  since: number;
}

/**
 * An ingress rule written for callers that no longer admits them: a policy (a NetworkPolicy, or a network plugin's own
 * read as one) whose rule names the callers' namespace and a pod selector that matches none of the pods there — though
 * the callers' pods carry every label key it names, one value spelt close to theirs (an app id shortened, a name
 * misspelt). The callers' connections to what it guards time out while other clients it names still connect.
 */
export const policyNearMiss: Detector = {
  id: 'policy-near-miss',
  faultTypes: ['network-policy'],
  detect(snapshot, graph) {
    if (snapshot.networkPolicies.length === 0) return [];
    const callers = timingOut(snapshot, graph);
    if (callers.length === 0) return [];
    const findings = new Map<string, Finding>();
    for (const policy of snapshot.networkPolicies)
      for (const peer of (policy.spec?.ingress ?? []).flatMap((rule) => rule.from ?? []))
        for (const caller of callers) {
          const missed = nearMiss(peer, policy, caller, snapshot);
          if (!missed) continue;
          const ref = refOf(policy.kind ?? 'NetworkPolicy', policy.metadata);
          const existing = findings.get(refKey(ref));
          if (existing) existing.affects.push(caller.workload);
          else findings.set(refKey(ref), judge(policy, ref, caller, missed, snapshot));
        }
    return [...findings.values()];
  },
};

/** The selector's label that the caller's pods carry with another value, close to it: `key`, wanted and had. */
interface Missed {
  key: string;
  wanted: string;
  had: string;
}

function nearMiss(peer: Peer, policy: NetworkPolicy, caller: Caller, snapshot: ClusterSnapshot): Missed | undefined {
  const wanted = peer.podSelector?.matchLabels ?? {};
  if (Object.keys(wanted).length === 0 || peer.ipBlock) return undefined;
  const namespace = caller.workload.namespace ?? '';
  const inNamespace = peer.namespaceSelector
    ? matchesSelector(namespaceLabels(snapshot, namespace), peer.namespaceSelector)
    : policy.metadata?.namespace === namespace;
  if (!inNamespace) return undefined;
  // The rule admits some pod there: not a selector that misses.
  const there = snapshot.pods.filter((pod) => pod.metadata?.namespace === namespace);
  if (there.some((pod) => matchesSelector(pod.metadata?.labels, { matchLabels: wanted }))) return undefined;
  const labels = caller.pods[0]?.metadata?.labels ?? {};
  if (!Object.keys(wanted).every((key) => key in labels)) return undefined;
  const differing = Object.entries(wanted).filter(([key, value]) => labels[key] !== value);
  const [entry] = differing;
  if (differing.length !== 1 || !entry) return undefined;
  const [key, value] = entry;
  const had = labels[key] as string;
  return spelledClose(value, had) ? { key, wanted: value, had } : undefined;
}

/** Two values one of which is the other shortened or misspelt: a common start of at least 4 characters. */
function spelledClose(a: string, b: string): boolean {
  let common = 0;
  while (common < Math.min(a.length, b.length) && a[common] === b[common]) common++;
  return common >= 4;
}

function judge(
  policy: NetworkPolicy,
  ref: EntityRef,
  caller: Caller,
  missed: Missed,
  snapshot: ClusterSnapshot,
): Finding {
  const changedAt = lastChange(policy.metadata);
  const changed = toMs(changedAt);
  const onset = Number.isFinite(caller.since) ? caller.since : snapshotNow(snapshot);
  const recent = changed !== undefined && changed <= onset && onset - changed <= SUSPECT_CHANGE_WINDOW;
  return finding(policyNearMiss, {
    entity: ref,
    affects: [caller.workload],
    strength: recent ? STRENGTH.changedBeforeTimeouts : STRENGTH.standing,
    summary: `${ref.kind} ${ref.name} admits pods ${missed.key}=${missed.wanted} from ${caller.workload.namespace}, where no pod has that label — ${caller.workload.name}'s pods carry ${missed.key}=${missed.had}${recent ? `; it changed at ${changedAt}, before their connections began to time out` : ''}: the rule meant them and now drops them`,
    evidence: [
      {
        source: 'spec',
        ref,
        text: `ingress from ${missed.key}=${missed.wanted} in ${caller.workload.namespace}: matches no pod there (${caller.workload.name} has ${missed.key}=${missed.had})`,
      },
      ...(recent && changedAt
        ? [{ source: 'change' as const, ref, text: `${ref.kind} ${ref.name} changed at ${changedAt}`, at: changedAt }]
        : []),
      ...caller.lines.slice(0, 2).map(logEvidence),
    ],
    ...(recent && changedAt ? { changedAt } : {}),
  });
}

/** Workloads whose read logs say their connections time out, with the first such line's time. */
function timingOut(snapshot: ClusterSnapshot, graph: EvidenceGraph): Caller[] {
  return graph.workloads.flatMap((workload) => {
    const pods = graph.podsOf(workload.ref);
    const all = logLinesOf(
      snapshot,
      workload.ref.namespace ?? '',
      pods.map((pod) => pod.metadata?.name ?? ''),
    ).filter((line) => TIMED_OUT.test(line.text));
    if (all.length === 0 || pods.length === 0) return [];
    const since = Math.min(...all.map((line) => toMs(line.at) ?? Number.POSITIVE_INFINITY));
    return [{ workload: workload.ref, pods, lines: lastDistinct(all, () => true, 2), since }];
  });
}

/** A namespace's labels, including the name label every namespace carries (read or not). */
const namespaceLabels = (snapshot: ClusterSnapshot, name: string): Record<string, string> => ({
  'kubernetes.io/metadata.name': name,
  ...(snapshot.namespaces.find((n) => n.metadata?.name === name)?.metadata?.labels ?? {}),
});
