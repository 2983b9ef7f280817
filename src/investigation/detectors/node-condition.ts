import { eventEvidence, eventsFor } from '../evidence/events.ts';
import type { EvidenceGraph } from '../evidence/graph.ts';
import type { ClusterSnapshot } from '../evidence/snapshot.ts';
import type { EntityRef, Finding } from '../model.ts';
import { refKey } from '../model.ts';
import { type Detector, finding } from './detector.ts';

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

function workloadsOn(snapshot: ClusterSnapshot, graph: EvidenceGraph, node: string): EntityRef[] {
  const seen = new Map<string, EntityRef>();
  for (const pod of snapshot.pods) {
    const evicted = pod.status?.reason === 'Evicted' && (pod.status.message ?? '').includes(node);
    if (pod.spec?.nodeName !== node && !evicted) continue;
    const workload = graph.workloadOf(pod);
    seen.set(refKey(workload), workload);
  }
  return [...seen.values()];
}
