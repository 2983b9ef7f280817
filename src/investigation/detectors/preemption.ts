import type { CustomObject } from '../evidence/custom-object.ts';
import { eventEvidence } from '../evidence/events.ts';
import type { EvidenceGraph } from '../evidence/graph.ts';
import { isPodReady } from '../evidence/pod-state.ts';
import type { ClusterSnapshot } from '../evidence/snapshot.ts';
import { HOUR, lastChange, toMs } from '../evidence/time.ts';
import { controllerAmong } from '../evidence/owner-references.ts';
import { podControllers } from '../evidence/peer-namespaces.ts';
import { preemptorNamed, PREEMPTED_BY, priorityClassNamed } from '../evidence/preemptors.ts';
import type { EntityRef, Finding } from '../model.ts';
import { refKey } from '../model.ts';
import { owningWorkload } from '../focus.ts';
import { type Detector, finding, seenAgain } from './detector.ts';
import { SUSPECT_CHANGE_WINDOW, changedBeforeOnset, symptomOnset, type Onset } from '../evidence/onset.ts';

/** How sure a finding is (the scale: detectors/detector.ts). */
const STRENGTH = {
  /**
   * The scheduler's event names the pod that preempted the victim, and the victim's workload is still short of ready
   * pods: the room it needs is taken by higher-priority pods, stated, not inferred. Above the victim's own
   * insufficient-resources finding (at most 0.9 when nothing about its requests is impossible).
   */
  preemptedAndShort: 0.92,
} as const;

type Pod = ClusterSnapshot['pods'][number];

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
  faultTypes: ['insufficient-resources', 'other'],
  detect(snapshot, graph, alert) {
    const onset = symptomOnset(snapshot, alert?.startsAt);
    const findings = new Map<string, Finding>();
    for (const event of snapshot.events) {
      if (event.reason !== 'Preempted') continue;
      const match = PREEMPTED_BY.exec(event.message ?? '');
      const by = match ? preemptorNamed(snapshot, match[1] as string) : undefined;
      const involved = event.involvedObject;
      if (!by || involved?.kind !== 'Pod') continue;
      const victim = owningWorkload(involved.name ?? '', involved.namespace ?? '', snapshot);
      if (!victim || victim.kind === 'Pod' || !shortOfPods(graph, victim)) continue;
      const changedClass = classChangedUnder(snapshot, onset, by);
      const entity = changedClass ? changedClass.ref : graph.workloadOf(by);
      const key = refKey(entity);
      const existing = findings.get(key);
      if (existing) {
        seenAgain(existing, victim, eventEvidence(event));
        continue;
      }
      const priority = by.spec?.priorityClassName
        ? `PriorityClass ${by.spec.priorityClassName}${by.spec.priority !== undefined ? ` (${by.spec.priority})` : ''}`
        : `priority ${by.spec?.priority ?? '?'}`;
      const changedAt = lastChange(graph.workload(graph.workloadOf(by))?.metadata);
      findings.set(
        key,
        finding(preemption, {
          entity,
          affects: changedClass ? [victim, graph.workloadOf(by)] : [victim],
          strength: STRENGTH.preemptedAndShort,
          ...(changedClass ? { faultType: 'other' as const } : {}),
          summary: changedClass
            ? `PriorityClass ${changedClass.ref.name} (value ${changedClass.value}, changed at ${changedClass.changedAt}): the pods of ${graph.workloadOf(by).name} admitted since carry priority ${by.spec?.priority}${by.spec?.preemptionPolicy ? ` (preemptionPolicy ${by.spec.preemptionPolicy})` : ''}, where pods admitted under it before carry ${changedClass.before}, and preempted pods of ${victim.kind} ${victim.name}, whose replacements find no room`
            : `${entity.kind} ${entity.name}: its pods (${priority}) preempted pods of ${victim.kind} ${victim.name}, whose replacements find no room`,
          evidence: [
            eventEvidence(event),
            {
              source: 'spec',
              ref: { kind: 'Pod', namespace: by.metadata?.namespace ?? '', name: by.metadata?.name ?? '' },
              text: `preemptor pod ${by.metadata?.name}: ${priority}, on node ${by.spec?.nodeName ?? '?'}`,
            },
          ],
          ...(changedClass ? { changedAt: changedClass.changedAt } : changedAt ? { changedAt } : {}),
        }),
      );
    }
    return [...findings.values()];
  },
};

/**
 * The preemptor's PriorityClass, when it is what changed: the class changed within the suspect window, the preemptor
 * was admitted after, and pods admitted earlier under the same class name carry a lower priority, or were kept from
 * preempting (`preemptionPolicy: Never`) where the preemptor is not — admission copies both from the class into the
 * pod. Whatever workload they belong to (its own older pods, the previous run of the CronJob that made it, another
 * team's), the class's value or policy changed under them (a class's value is immutable: it was re-created). The
 * catalogue has no type for a scheduling class: other.
 */
function classChangedUnder(
  snapshot: ClusterSnapshot,
  onset: Onset,
  by: Pod,
): { ref: EntityRef; value: number; changedAt: string; before: string } | undefined {
  const priority = by.spec?.priority;
  const priorityClass = priorityClassNamed(snapshot, by.spec?.priorityClassName);
  const changedAt = lastChange(priorityClass?.metadata);
  const changed = toMs(changedAt);
  if (!priorityClass || priority === undefined || !changedAt || changed === undefined) return undefined;
  const created = toMs(by.metadata?.creationTimestamp) ?? 0;
  if (created < changed) return undefined;
  // A class its template does not ask for reaches a workload when it next makes pods (a nightly Job): the change is
  // suspect until then, not only within the usual window of the onset.
  const window = assignedByDefault(snapshot, by, priorityClass) ? DEFAULT_CLASS_WINDOW : SUSPECT_CHANGE_WINDOW;
  if (!changedBeforeOnset(changed, onset, window)) return undefined;
  const admittedBefore = snapshot.pods
    .filter((pod) => pod.spec?.priorityClassName === by.spec?.priorityClassName)
    .filter((pod) => (toMs(pod.metadata?.creationTimestamp) ?? changed) < changed);
  const lower = admittedBefore
    .map((pod) => pod.spec?.priority)
    .filter((value): value is number => value !== undefined && value < priority);
  const heldBack =
    by.spec?.preemptionPolicy !== 'Never' && admittedBefore.some((pod) => pod.spec?.preemptionPolicy === 'Never');
  const byDefault = assignedByDefault(snapshot, by, priorityClass);
  if (lower.length === 0 && !heldBack && !byDefault) return undefined;
  const value = Number((priorityClass as { value?: unknown }).value ?? priority);
  return {
    ref: { kind: 'PriorityClass', name: priorityClass.metadata?.name ?? '' },
    value,
    changedAt,
    before:
      lower.length > 0
        ? `priority ${Math.max(...lower)}`
        : heldBack
          ? 'preemptionPolicy Never (they waited rather than preempt)'
          : 'no class, as their template asks for none (the class is the cluster default, assigned at admission)',
  };
}

/** How long before the preemptor was made a default class it did not ask for stays a suspect: a day's schedule. */
const DEFAULT_CLASS_WINDOW = 24 * HOUR;

/**
 * Whether admission gave the preemptor its class as the cluster's default: the class is `globalDefault`, and the
 * template of the pod's controller (read) names no class. The workload asked for nothing; the class changed what its
 * pods preempt with — pods made before the class carried priority 0.
 */
function assignedByDefault(snapshot: ClusterSnapshot, by: Pod, priorityClass: CustomObject): boolean {
  if ((priorityClass as { globalDefault?: unknown }).globalDefault !== true) return false;
  const template = controllerAmong(by, podControllers(snapshot))?.spec?.template?.spec;
  return template !== undefined && !template.priorityClassName;
}
