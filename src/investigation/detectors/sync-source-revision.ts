import { changeEvidence } from '../evidence/config-change.ts';
import { refOf } from '../evidence/graph.ts';
import { CHANGE_WINDOW, changedBeforeOnset, symptomOnset } from '../evidence/onset.ts';
import { revisionFieldsAt, syncObjectsOf } from '../evidence/sync-sources.ts';
import { lastChange, toMs } from '../evidence/time.ts';
import { workloadsOf } from '../evidence/workloads.ts';
import { type Finding, refKey } from '../model.ts';
import { type Detector, finding } from './detector.ts';

/** How sure a finding is (the scale: detectors/detector.ts). */
const STRENGTH = {
  /**
   * The workload's mark names it, its source revision was edited shortly before, and the workload changed right
   * after: the tool applied what that revision holds. Inferred from the order of the changes and the tool's mark.
   */
  revisionPinned: 0.8,
} as const;

/** How long after the sync object's edit its tool applies the revision (a sync interval, a retry): later, unrelated. */
const APPLIED_WITHIN = 30 * 60 * 1000;

/**
 * A workload changed shortly before the symptom, applied by a continuous-delivery tool (evidence/sync-sources.ts),
 * whose sync object had its source revision edited just before: the workload's new template (an older image, other
 * settings) is what that revision holds, and a fix in the workload would be reverted by the next sync. The sync
 * object is where the fix goes; the workload is its victim. A sync object whose edit selected no revision (values, an
 * interval) is not this: the workload's own setting is then the fault. The catalogue has no type for it: other.
 */
export const syncSourceRevision: Detector = {
  id: 'sync-source-revision',
  faultTypes: ['other'],
  detect(snapshot, _graph, alert) {
    if (snapshot.customObjects.length === 0) return [];
    const onset = symptomOnset(snapshot, alert?.startsAt);
    const found = new Map<string, Finding>();
    for (const workload of workloadsOf(snapshot)) {
      const changed = lastChange(workload.metadata);
      if (!changedBeforeOnset(changed, onset, CHANGE_WINDOW)) continue;
      for (const object of syncObjectsOf(snapshot, workload)) {
        const edited = lastChange(object.metadata);
        const gap = (toMs(changed) ?? 0) - (toMs(edited) ?? 0);
        if (!edited || gap < 0 || gap > APPLIED_WITHIN) continue;
        const fields = revisionFieldsAt(object.metadata, edited);
        if (fields.length === 0) continue;
        const entity = refOf(object.kind, object.metadata);
        const held = found.get(refKey(entity));
        if (held) {
          held.affects.push(workload.ref);
          continue;
        }
        found.set(
          refKey(entity),
          finding(syncSourceRevision, {
            entity,
            affects: [workload.ref],
            strength: STRENGTH.revisionPinned,
            summary: `${object.kind} ${entity.name} had its source revision (${fields.join(', ')}) edited at ${edited}, and ${workload.ref.kind} ${workload.ref.name}, which it applies, changed at ${changed}: the workload now runs what that revision holds, and a fix made in it would be reverted by the next sync`,
            evidence: [
              changeEvidence(entity, edited, `${fields.join(', ')} edited`),
              changeEvidence(workload.ref, changed as string, 'applied'),
            ],
            changedAt: edited,
          }),
        );
      }
    }
    return [...found.values()];
  },
};
