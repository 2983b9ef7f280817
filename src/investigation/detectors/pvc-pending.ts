import { eventEvidence, eventsFor } from '../evidence/events.ts';
import { refOf } from '../evidence/graph.ts';
import { classParameterFailures } from '../evidence/storage-classes.ts';
import { lastChange } from '../evidence/time.ts';
import type { Finding } from '../model.ts';
import { type Detector, finding } from './detector.ts';

/** How sure a finding is (the scale: detectors/detector.ts). */
const STRENGTH = {
  /** Pending, and events say why (no storage class, no volume to bind): the fault is stated. */
  pendingWithReason: 0.95,
  /** Pending while pods that mount it wait, with no event read to say why. */
  pending: 0.75,
  /**
   * Pending because provisioning failed on a parameter of its StorageClass that the error names: the class's setting
   * (storage-class-parameter states it there); the claim is where it shows.
   */
  classParameter: 0.6,
} as const;

/** A PersistentVolumeClaim that stays Pending (no class, failed provisioning), holding back the pods that mount it. */
export const pvcPending: Detector = {
  id: 'pvc-pending',
  faultTypes: ['pvc-pending'],
  detect(snapshot, graph) {
    const findings: Finding[] = [];
    for (const claim of snapshot.persistentVolumeClaims) {
      if (claim.status?.phase !== 'Pending') continue;
      const ref = refOf('PersistentVolumeClaim', claim.metadata);
      const events = eventsFor(snapshot, 'PersistentVolumeClaim', ref.namespace, ref.name).filter(
        (e) => e.type === 'Warning',
      );
      const users = [
        ...graph.workloadsReferencing(ref),
        // StatefulSet claims are named <template>-<set>-<ordinal>.
        ...snapshot.statefulSets
          .filter((s) => s.metadata?.namespace === ref.namespace)
          .filter((s) =>
            (s.spec?.volumeClaimTemplates ?? []).some((t) =>
              ref.name.startsWith(`${t.metadata?.name}-${s.metadata?.name}-`),
            ),
          )
          .map((s) => refOf('StatefulSet', s.metadata)),
      ];
      const waitingPods = users.flatMap((w) => graph.podsOf(w)).filter((p) => p.status?.phase === 'Pending');
      if (events.length === 0 && waitingPods.length === 0) continue;
      const fault: Finding = finding(pvcPending, {
        entity: ref,
        affects: users,
        strength:
          classParameterFailures(snapshot, claim).length > 0
            ? STRENGTH.classParameter
            : events.length > 0
              ? STRENGTH.pendingWithReason
              : STRENGTH.pending,
        summary: `PersistentVolumeClaim ${ref.name} is Pending${events[0] ? `: ${events[0].message}` : ''}${users.length ? `; ${users.map((u) => u.name).join(', ')} cannot start` : ''}`,
        evidence: [
          {
            source: 'status',
            ref,
            text: `phase Pending, storageClassName ${claim.spec?.storageClassName ?? '(default)'}`,
          },
          ...events.slice(0, 2).map(eventEvidence),
          ...waitingPods.slice(0, 2).map((p) => ({
            source: 'status' as const,
            ref: refOf('Pod', p.metadata),
            text: `Pending: ${(p.status?.conditions ?? []).find((c) => c.type === 'PodScheduled')?.message ?? ''}`,
          })),
        ],
      });
      const changed = lastChange(claim.metadata);
      if (changed) fault.changedAt = changed;
      findings.push(fault);
    }
    return findings;
  },
};
