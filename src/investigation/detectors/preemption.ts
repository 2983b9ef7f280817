import { eventEvidence } from '../evidence/events.ts';
import type { EvidenceGraph } from '../evidence/graph.ts';
import { isPodReady } from '../evidence/pod-state.ts';
import type { ClusterSnapshot } from '../evidence/snapshot.ts';
import { lastChange } from '../evidence/time.ts';
import type { EntityRef, Finding } from '../model.ts';
import { refKey } from '../model.ts';
import { owningWorkload } from '../focus.ts';
import { type Detector, finding, seenAgain } from './detector.ts';

/** How sure a finding is (the scale: detectors/detector.ts). */
const STRENGTH = {
  /**
   * The scheduler's event names the pod that preempted the victim, and the victim's workload is still short of ready
   * pods: the room it needs is taken by higher-priority pods, stated, not inferred. Above the victim's own
   * insufficient-resources finding (at most 0.9 when nothing about its requests is impossible).
   */
  preemptedAndShort: 0.92,
} as const;

// `Preempted by pod 5f2c…-… on node n1` (the preemptor's uid, Kubernetes ≥ 1.27) or `Preempted by ns/name on node n1`.
const PREEMPTED_BY = /Preempted by (?:pod )?(\S+?) on node (\S+)/;

type Pod = ClusterSnapshot['pods'][number];

/** The preemptor the message names: by uid, or by namespace/name. */
function preemptor(snapshot: ClusterSnapshot, named: string): Pod | undefined {
  return snapshot.pods.find(
    (pod) => pod.metadata?.uid === named || `${pod.metadata?.namespace}/${pod.metadata?.name}` === named,
  );
}

/** Whether a workload has pods that are not ready now (the preempted ones, recreated and waiting for room). */
const shortOfPods = (graph: EvidenceGraph, workload: EntityRef): boolean =>
  graph.podsOf(workload).some((p) => !isPodReady(p));

/**
 * Pods evicted by the scheduler to make room for pods of higher priority, whose replacements now wait for room they
 * cannot get: the workload that brought the higher-priority pods (its PriorityClass, its size) took the capacity, and
 * the victim's own scheduling failure (Insufficient cpu) is only its consequence. Catalogue: insufficient-resources.
 */
export const preemption: Detector = {
  id: 'preemption',
  faultTypes: ['insufficient-resources'],
  detect(snapshot, graph) {
    const findings = new Map<string, Finding>();
    for (const event of snapshot.events) {
      if (event.reason !== 'Preempted') continue;
      const match = PREEMPTED_BY.exec(event.message ?? '');
      const by = match ? preemptor(snapshot, match[1] as string) : undefined;
      const involved = event.involvedObject;
      if (!by || involved?.kind !== 'Pod') continue;
      const victim = owningWorkload(involved.name ?? '', involved.namespace ?? '', snapshot);
      if (!victim || victim.kind === 'Pod' || !shortOfPods(graph, victim)) continue;
      const entity = graph.workloadOf(by);
      const key = refKey(entity);
      const existing = findings.get(key);
      if (existing) {
        seenAgain(existing, victim, eventEvidence(event));
        continue;
      }
      const priority = by.spec?.priorityClassName
        ? `PriorityClass ${by.spec.priorityClassName}${by.spec.priority !== undefined ? ` (${by.spec.priority})` : ''}`
        : `priority ${by.spec?.priority ?? '?'}`;
      const changedAt = lastChange(graph.workload(entity)?.metadata);
      findings.set(
        key,
        finding(preemption, {
          entity,
          affects: [victim],
          strength: STRENGTH.preemptedAndShort,
          summary: `${entity.kind} ${entity.name}: its pods (${priority}) preempted pods of ${victim.kind} ${victim.name}, whose replacements find no room`,
          evidence: [
            eventEvidence(event),
            {
              source: 'spec',
              ref: { kind: 'Pod', namespace: by.metadata?.namespace ?? '', name: by.metadata?.name ?? '' },
              text: `preemptor pod ${by.metadata?.name}: ${priority}, on node ${by.spec?.nodeName ?? '?'}`,
            },
          ],
          ...(changedAt ? { changedAt } : {}),
        }),
      );
    }
    return [...findings.values()];
  },
};
