import { eventEvidence, eventNamespace, eventsFor } from '../evidence/events.ts';
import type { EvidenceGraph } from '../evidence/graph.ts';
import { mayRunOn } from '../evidence/node-fit.ts';
import type { ClusterSnapshot } from '../evidence/snapshot.ts';
import type { EntityRef, Finding } from '../model.ts';
import { refKey } from '../model.ts';
import { type Detector, finding } from './detector.ts';
import { schedulingFailures } from '../evidence/scheduling-failures.ts';

const PRESSURES = new Set(['MemoryPressure', 'DiskPressure', 'PIDPressure', 'NetworkUnavailable']);

/** How sure a finding is (the scale: detectors/detector.ts). */
const STRENGTH = {
  /** The node's Ready condition is not True: everything on it is affected. */
  notReady: 0.95,
  /** A pressure condition (memory, disk, PIDs) is True: it evicts or refuses some pods, not all. */
  pressure: 0.85,
} as const;

/** Nodes that are NotReady/Unknown or under resource pressure, with the workloads whose pods they hold. */
export const nodeCondition: Detector = {
  id: 'node-condition',
  faultTypes: ['node-not-ready', 'node-pressure'],
  detect(snapshot, graph) {
    const findings: Finding[] = [];
    for (const node of snapshot.nodes) {
      const name = node.metadata?.name ?? '';
      const ref: EntityRef = { kind: 'Node', name };
      const conditions = node.status?.conditions ?? [];
      const ready = conditions.find((c) => c.type === 'Ready');
      const notReady = ready && ready.status !== 'True';
      const pressures = conditions.filter((c) => PRESSURES.has(c.type) && c.status === 'True');
      if (!notReady && pressures.length === 0) continue;
      const affected = workloadsOn(snapshot, graph, name);
      const condition = notReady ? ready : pressures[0];
      const events = eventsFor(snapshot, 'Node', undefined, name).slice(0, 2);
      const fault: Finding = finding(nodeCondition, {
        faultType: notReady ? 'node-not-ready' : 'node-pressure',
        entity: ref,
        affects: affected,
        strength: notReady ? STRENGTH.notReady : STRENGTH.pressure,
        summary: notReady
          ? `Node ${name} is ${ready?.status === 'Unknown' ? 'unreachable (Ready=Unknown)' : 'NotReady'} since ${ready?.lastTransitionTime ?? '?'}; it runs pods of ${affected.map((a) => a.name).join(', ') || 'no fetched workload'}`
          : `Node ${name} reports ${pressures.map((p) => p.type).join(', ')}`,
        evidence: [
          ...[condition, ...pressures]
            .filter((c, i, all) => c && all.indexOf(c) === i)
            .map((c) => ({
              source: 'status' as const,
              ref,
              text: `${c?.type}=${c?.status} ${c?.reason ?? ''} ${c?.message ?? ''}`.trim(),
              at: c?.lastTransitionTime ?? undefined,
            })),
          ...events.map(eventEvidence),
        ],
      });
      if (condition?.lastTransitionTime) fault.changedAt = condition.lastTransitionTime;
      fault.remediation = {
        summary: `Cordon node ${name} so that its pods are rescheduled elsewhere`,
        action: { type: 'cordon-node', name },
      };
      findings.push(fault);
    }
    return findings;
  },
};

/**
 * The workloads a sick node holds or keeps away: pods running on it, pods its kubelet evicted (their status or the
 * kubelet's Evicted event names it), and pending pods the scheduler refuses because of the taint the node's condition
 * put on it, where nothing else of the pod's own rules the node out (a StatefulSet's pod whose volume lives there).
 */
function workloadsOn(snapshot: ClusterSnapshot, graph: EvidenceGraph, node: string): EntityRef[] {
  const seen = new Map<string, EntityRef>();
  const add = (pod: (typeof snapshot.pods)[number]) => {
    const workload = graph.workloadOf(pod);
    seen.set(refKey(workload), workload);
  };
  const evictedHere = new Set(
    snapshot.events
      .filter((e) => e.reason === 'Evicted' && e.involvedObject?.kind === 'Pod' && e.source?.host === node)
      .map((e) => `${eventNamespace(e)}/${e.involvedObject?.name}`),
  );
  for (const pod of snapshot.pods) {
    const evicted = pod.status?.reason === 'Evicted' && (pod.status.message ?? '').includes(node);
    const key = `${pod.metadata?.namespace}/${pod.metadata?.name}`;
    if (pod.spec?.nodeName === node || evicted || evictedHere.has(key)) add(pod);
  }
  const object = snapshot.nodes.find((n) => n.metadata?.name === node);
  const conditionTaints = (object?.spec?.taints ?? []).filter((t) => t.key.startsWith('node.kubernetes.io/'));
  if (!object || conditionTaints.length === 0) return [...seen.values()];
  for (const failure of schedulingFailures(snapshot)) {
    const refused = conditionTaints.some((t) => failure.message.includes(`{${t.key}:`));
    if (refused && mayRunOn(failure.pod, object)) add(failure.pod);
  }
  return [...seen.values()];
}
