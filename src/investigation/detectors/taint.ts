import { eventEvidence } from '../evidence/events.ts';
import type { Pod } from '../evidence/workloads.ts';
import type { EntityRef, Finding } from '../model.ts';
import { refKey } from '../model.ts';
import { mayRunOn } from '../evidence/node-fit.ts';
import { lastChange, latest, SUSPECT_CHANGE_WINDOW, snapshotNow, toMs } from '../evidence/time.ts';
import { type Detector, finding } from './detector.ts';
import { schedulingFailures } from './scheduling.ts';

type Node = Parameters<Detector['detect']>[0]['nodes'][number];
type Taint = NonNullable<NonNullable<Node['spec']>['taints']>[number];

// Taints the node lifecycle controller sets for a sick node: the node's condition is the fault, not a taint someone added.
const CONDITION_TAINT =
  /^node\.kubernetes\.io\/(not-ready|unreachable|memory-pressure|disk-pressure|pid-pressure|network-unavailable)$/;

const CORDON_TAINT = 'node.kubernetes.io/unschedulable';

/** Pods cannot be scheduled because of the node's taint or cordon, which the scheduler's events name. */
const STRENGTH = 0.85;
/**
 * A cordon beside other nodes' taints that the same pods do not tolerate: a drain counts on the other nodes to take
 * the pods, and the taints someone put there are what left them no place.
 */
const CORDON_BESIDE_TAINTS = 0.75;

/** Pods that cannot run because a node was tainted or cordoned (and they do not tolerate it): the Node is the fault. */
export const taint: Detector = {
  id: 'taint',
  faultTypes: ['taint'],
  detect(snapshot, graph) {
    const failures = schedulingFailures(snapshot).filter((f) => /taint|unschedulable/i.test(f.message));
    const findings = new Map<string, Finding>();
    const onlyCordoned = new Set<string>();
    for (const node of snapshot.nodes) {
      const name = node.metadata?.name ?? '';
      const ref: EntityRef = { kind: 'Node', name };
      const taints = (node.spec?.taints ?? []).filter(
        (t) => !CONDITION_TAINT.test(t.key) && t.key !== CORDON_TAINT && t.effect !== 'PreferNoSchedule',
      );
      // The taint a cordon puts on the node is the cordon itself.
      const cordoned =
        node.spec?.unschedulable === true || (node.spec?.taints ?? []).some((t) => t.key === CORDON_TAINT);
      if (taints.length === 0 && !cordoned) continue;
      const standing = !recentlyTainted(node, snapshotNow(snapshot));
      // A node the pod's own selector or required affinity rules out never was a place for it: its taint keeps
      // nothing away (a dedicated pool's taint beside a pod that asks for another pool).
      const blocked = failures.filter(
        (f) =>
          mayRunOn(f.pod, node) &&
          !(standing && SHORT_OF_RESOURCES.test(f.message)) &&
          ((cordoned && /unschedulable/i.test(f.message)) || taints.some((t) => !tolerates(f.pod, t))),
      );
      const evicted = snapshot.pods.filter(
        (p) => p.spec?.nodeName === name && taints.some((t) => t.effect === 'NoExecute' && !tolerates(p, t)),
      );
      if (blocked.length === 0 && evicted.length === 0) continue;
      const affects = new Map<string, EntityRef>();
      for (const pod of [...blocked.map((b) => b.pod), ...evicted])
        affects.set(refKey(graph.workloadOf(pod)), graph.workloadOf(pod));
      const newest = taints
        .map((t) => t.timeAdded)
        .filter((t): t is string => !!t)
        .sort()
        .at(-1);
      const found: Finding = finding(taint, {
        entity: ref,
        affects: [...affects.values()],
        strength: STRENGTH,
        summary: `Node ${name} ${cordoned ? 'is cordoned' : `carries taint ${taints.map((t) => `${t.key}${t.value ? `=${t.value}` : ''}:${t.effect}`).join(', ')}`}; ${[...affects.values()].map((a) => a.name).join(', ')} cannot run there`,
        evidence: [
          ...taints.map((t) => ({
            source: 'spec' as const,
            ref,
            text: `taint ${t.key}${t.value ? `=${t.value}` : ''}:${t.effect}${t.timeAdded ? ` added ${t.timeAdded}` : ''}`,
            at: t.timeAdded ?? undefined,
          })),
          ...(cordoned ? [{ source: 'spec' as const, ref, text: 'spec.unschedulable=true (cordoned)' }] : []),
          ...blocked.slice(0, 2).flatMap((b) => (b.event ? [eventEvidence(b.event)] : [])),
        ],
      });
      if (newest) found.changedAt = newest;
      if (cordoned) found.remediation = { summary: `Uncordon node ${name}`, action: { type: 'uncordon-node', name } };
      findings.set(refKey(ref), found);
      if (taints.length === 0) onlyCordoned.add(refKey(ref));
    }
    const tainted = [...findings.keys()].filter((key) => !onlyCordoned.has(key));
    for (const key of onlyCordoned) {
      const cordon = findings.get(key) as Finding;
      const sameWorkloads = (other: Finding) =>
        cordon.affects.some((a) => other.affects.some((b) => refKey(a) === refKey(b)));
      if (tainted.some((other) => sameWorkloads(findings.get(other) as Finding)))
        cordon.strength = CORDON_BESIDE_TAINTS;
    }
    // Several tainted nodes: the most recently tainted explains a new incident best; the ranking weighs changedAt.
    return [...findings.values()];
  },
};

/** A scheduler verdict that also counts nodes short of what the pod requests ("3 Insufficient cpu"). */
const SHORT_OF_RESOURCES = /\bInsufficient [a-z]/i;

/**
 * Whether the node or a taint of it is new within the suspect window. Beside a count of nodes short of resources, a
 * taint that stood long before (a control-plane or dedicated pool's) kept the pod off it before the incident too:
 * what changed is what the pod asks of the open nodes, so only a new taint or node is blamed then.
 */
function recentlyTainted(node: Node, now: number): boolean {
  const changed = toMs(
    latest([lastChange(node.metadata), ...(node.spec?.taints ?? []).map((t) => t.timeAdded ?? undefined)]),
  );
  return changed !== undefined && now - changed <= SUSPECT_CHANGE_WINDOW;
}

function tolerates(pod: Pod, taint: Taint): boolean {
  return (pod.spec?.tolerations ?? []).some((t) => {
    if (t.effect && t.effect !== taint.effect) return false;
    if (t.operator === 'Exists') return !t.key || t.key === taint.key;
    return t.key === taint.key && (t.value ?? '') === (taint.value ?? '');
  });
}
