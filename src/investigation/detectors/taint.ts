import { eventEvidence } from '../evidence/events.ts';
import type { EntityRef, Finding } from '../model.ts';
import { refKey } from '../model.ts';
import { mayRunOn } from '../evidence/node-fit.ts';
import {
  CORDON_TAINT,
  hasRoomFor,
  keepingOffTaints,
  recentlyTainted,
  SHORT_OF_RESOURCES,
  taintedAt,
  tolerates,
} from '../evidence/node-room.ts';
import { snapshotNow } from '../evidence/time.ts';
import { type Detector, finding } from './detector.ts';
import { schedulingFailures } from '../evidence/scheduling-failures.ts';

/** Pods cannot be scheduled because of the node's taint or cordon, which the scheduler's events name. */
const STRENGTH = 0.85;
/**
 * The node its new taint closed has room for the refused pods as they ask, while the nodes left open are short: the
 * taint took the room, stated by the scheduler and the node's own load. Above a workload whose newest revision raised
 * the request that only the nodes left open cannot fit (insufficient-resources, 0.9).
 */
const ROOM_TAKEN = 0.93;
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
      const taints = keepingOffTaints(node);
      // The taint a cordon puts on the node is the cordon itself.
      const cordoned =
        node.spec?.unschedulable === true || (node.spec?.taints ?? []).some((t) => t.key === CORDON_TAINT);
      if (taints.length === 0 && !cordoned) continue;
      // Beside a count of nodes short of resources, a taint that stood long before (a control-plane or dedicated
      // pool's) kept the pod off it before the incident too: what changed is what the pod asks of the open nodes, so
      // only a new taint or node is blamed then.
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
      // A new taint on a node with room for pods the nodes left open are short for: the taint, not capacity.
      const roomTaken = standing
        ? []
        : blocked.filter((b) => SHORT_OF_RESOURCES.test(b.message) && hasRoomFor(snapshot, b.pod, node));
      const found: Finding = finding(taint, {
        entity: ref,
        affects: [...affects.values()],
        strength: roomTaken.length > 0 ? ROOM_TAKEN : STRENGTH,
        summary: `Node ${name} ${cordoned ? 'is cordoned' : `carries taint ${taints.map((t) => `${t.key}${t.value ? `=${t.value}` : ''}:${t.effect}`).join(', ')}`}; ${[...affects.values()].map((a) => a.name).join(', ')} cannot run there`,
        evidence: [
          ...taints.map((t) => ({
            source: 'spec' as const,
            ref,
            text: `taint ${t.key}${t.value ? `=${t.value}` : ''}:${t.effect}${t.timeAdded ? ` added ${t.timeAdded}` : ''}`,
            at: t.timeAdded ?? undefined,
          })),
          ...(cordoned ? [{ source: 'spec' as const, ref, text: 'spec.unschedulable=true (cordoned)' }] : []),
          ...roomTaken.slice(0, 1).map((b) => ({
            source: 'status' as const,
            ref,
            text: `Node ${name} has room for ${b.pod.metadata?.name}'s requests beside the pods bound there: only its taint keeps the pod off, while the nodes left open are short`,
          })),
          ...blocked.slice(0, 2).flatMap((b) => (b.event ? [eventEvidence(b.event)] : [])),
        ],
      });
      // Dated by the taints that keep pods off (a cordon's own taint is the cordon's date, not theirs); a node born
      // with its taint is dated by whatever made it so (its pool's template), not by its birth.
      const taintedWhen = taintedAt(node, taints);
      if (taintedWhen) found.changedAt = taintedWhen;
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
