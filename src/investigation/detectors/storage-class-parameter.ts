import { eventsFor } from '../evidence/events.ts';
import { refOf } from '../evidence/graph.ts';
import { classParameterFailures } from '../evidence/storage-classes.ts';
import { lastChange } from '../evidence/time.ts';
import { EVIDENCE_TEXT_LIMIT, type Finding, refKey } from '../model.ts';
import { type Detector, finding, seenAgain } from './detector.ts';

/** How sure a finding is (the scale: detectors/detector.ts). */
const STRENGTH = {
  /**
   * The provisioner's error names a parameter of the class the claim is provisioned with: the fault is stated, and is
   * the class's. Above pvc-pending's Pending claim whose events say why.
   */
  parameterNamed: 0.97,
} as const;

/**
 * A Pending claim whose provisioning failed with a StorageClass whose parameter value the error names (the encryption
 * key it could not use, the pool it could not write to: evidence/storage-classes.ts): the class is where the fault
 * lives, and where it is repaired — every claim provisioned with it fails alike. The claims and what mounts them are
 * its victims. Named pvc-pending, the catalogue's type for a claim that cannot be provisioned.
 */
export const storageClassParameter: Detector = {
  id: 'storage-class-parameter',
  faultTypes: ['pvc-pending'],
  detect(snapshot, graph) {
    if (!snapshot.customObjects.some((o) => o.kind === 'StorageClass')) return [];
    const byClass = new Map<string, Finding>();
    for (const claim of snapshot.persistentVolumeClaims) {
      const ref = refOf('PersistentVolumeClaim', claim.metadata);
      for (const { failure, storageClass, parameter } of classParameterFailures(snapshot, claim)) {
        const entity = refOf('StorageClass', storageClass.metadata);
        const users = graph.workloadsReferencing(ref);
        const held = byClass.get(refKey(entity));
        if (held) {
          seenAgain(held, ref);
          continue;
        }
        const changedAt = lastChange(storageClass.metadata);
        const event = eventsFor(snapshot, 'PersistentVolumeClaim', ref.namespace, ref.name).find(
          (e) => e.message === failure.message,
        );
        byClass.set(
          refKey(entity),
          finding(storageClassParameter, {
            entity,
            affects: [ref, ...users],
            strength: STRENGTH.parameterNamed,
            summary: `StorageClass ${entity.name}: provisioning claim ${ref.name} with it fails on its parameter ${parameter.key} (${parameter.named}), which the error names; every claim of this class fails alike${users.length ? `, and ${users.map((u) => u.name).join(', ')} cannot start` : ''}. Repair the class's parameter (or provision with a class that works), not the claim`,
            evidence: [
              {
                source: 'spec',
                ref: entity,
                text: `StorageClass ${entity.name} parameters.${parameter.key}: ${parameter.value}${changedAt ? ` (created or changed ${changedAt})` : ''}`,
              },
              {
                source: 'event',
                ref,
                text: `ProvisioningFailed: ${failure.message}`.slice(0, EVIDENCE_TEXT_LIMIT),
                ...(event?.lastTimestamp ? { at: event.lastTimestamp } : {}),
              },
            ],
            ...(changedAt ? { changedAt } : {}),
          }),
        );
      }
    }
    return [...byClass.values()];
  },
};
