import { changeEvidence } from '../evidence/config-change.ts';
import { eventEvidence } from '../evidence/events.ts';
import { refOf } from '../evidence/graph.ts';
import { mountSources, quotedSetting, sourceObject } from '../evidence/mount-sources.ts';
import { lastChange, toMs } from '../evidence/time.ts';
import { EVIDENCE_TEXT_LIMIT, type Finding, refKey } from '../model.ts';
import { type Detector, finding, seenAgain } from './detector.ts';
import { CHANGE_WINDOW } from '../evidence/onset.ts';

/** How sure a finding is (the scale: detectors/detector.ts). */
const STRENGTH = {
  /**
   * Changed shortly before the mounts began failing, and the mount error quotes what it asks for (an object it lists):
   * the spec shows the fault and the errors agree.
   */
  quoted: 0.85,
  /** Changed shortly before the mounts began failing, the error quoting nothing of it: the likeliest place, unproven. */
  changed: 0.6,
} as const;

// A change this long before the first failed mount still explains it; older, the object mounted fine since.
const NEAR = CHANGE_WINDOW;

/**
 * A volume that fails to mount (FailedMount), provided by a CSI driver from an object its attributes name
 * (evidence/mount-sources.ts), changed shortly before the failures began: what the driver was asked to mount changed,
 * and the pods wait for it with nothing changed in them. The fault lives in that object; the pods and their workload
 * are its victims. An object that did not change is not blamed (what it names may be gone from the store behind the
 * driver, or the driver itself may fail). The catalogue has no type for it: other.
 */
export const mountSource: Detector = {
  id: 'mount-source',
  faultTypes: ['other'],
  detect(snapshot, graph) {
    if (snapshot.customObjects.length === 0) return [];
    const findings = new Map<string, Finding>();
    for (const source of mountSources(snapshot)) {
      const object = sourceObject(snapshot, source);
      const changedAt = lastChange(object?.metadata);
      const changed = toMs(changedAt);
      const failedFrom = toMs(source.since) ?? toMs(source.failure.lastTimestamp);
      if (!object || changed === undefined || failedFrom === undefined) continue;
      if (changed > failedFrom || failedFrom - changed > NEAR) continue;
      const workload = graph.workloadOf(source.pod);
      const entity = refOf(object.kind, object.metadata);
      const held = findings.get(refKey(entity));
      if (held) {
        seenAgain(held, workload);
        continue;
      }
      const message = source.failure.message ?? '';
      const quoted = quotedSetting(object, message);
      findings.set(
        refKey(entity),
        finding(mountSource, {
          entity,
          affects: [workload],
          strength: quoted ? STRENGTH.quoted : STRENGTH.changed,
          summary: `${object.kind} ${entity.name}, which volume ${source.volume} of ${workload.kind} ${workload.name} names (${source.key}), changed at ${changedAt}, and the volume fails to mount since ${source.since}${quoted ? `: the error quotes ${quoted}, which it asks for` : ''}. The pods wait for the mount with nothing changed in them. To confirm: compare what changed in it with what its driver can provide (the mount error, the driver's log)`,
          evidence: [
            changeEvidence(entity, changedAt as string, 'last changed'),
            {
              ...eventEvidence(source.failure),
              text: `FailedMount: ${message}`.slice(0, EVIDENCE_TEXT_LIMIT),
            },
          ],
          changedAt: changedAt as string,
        }),
      );
    }
    return [...findings.values()];
  },
};
