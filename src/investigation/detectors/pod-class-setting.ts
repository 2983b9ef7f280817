import { refOf } from '../evidence/graph.ts';
import { classesNamed, failedPodEvents, quotedSetting } from '../evidence/pod-classes.ts';
import { lastChange } from '../evidence/time.ts';
import { EVIDENCE_TEXT_LIMIT, type Finding, refKey } from '../model.ts';
import { type Detector, finding, seenAgain } from './detector.ts';

/** How sure a finding is (the scale: detectors/detector.ts). */
const STRENGTH = {
  /** The failure that keeps the pod from starting quotes the class's own setting: stated, and the class's. */
  settingQuoted: 0.9,
} as const;

/**
 * Pods that cannot be created or started, whose failure quotes a setting of a class object they name by a
 * `…ClassName` field (evidence/pod-classes.ts: a RuntimeClass's handler no node's runtime knows): the class is where
 * the fault lives — every pod naming it fails alike — and the pods and what made them are its victims. The catalogue
 * has no type for it: other.
 */
export const podClassSetting: Detector = {
  id: 'pod-class-setting',
  faultTypes: ['other'],
  detect(snapshot, graph) {
    if (snapshot.customObjects.length === 0) return [];
    const byClass = new Map<string, Finding>();
    for (const pod of snapshot.pods) {
      const messages = failedPodEvents(snapshot, pod);
      if (messages.length === 0) continue;
      for (const named of classesNamed(pod)) {
        const object = snapshot.customObjects.find((o) => o.kind === named.kind && o.metadata?.name === named.name);
        if (!object) continue;
        const quoted = messages.flatMap((message) => {
          const setting = quotedSetting(object, message);
          return setting ? [{ message, setting }] : [];
        })[0];
        if (!quoted) continue;
        const { message, setting } = quoted;
        const entity = refOf(object.kind, object.metadata);
        const workload = graph.workloadOf(pod);
        const podRef = refOf('Pod', pod.metadata);
        const held = byClass.get(refKey(entity));
        if (held) {
          seenAgain(held, workload);
          continue;
        }
        const changedAt = lastChange(object.metadata);
        byClass.set(
          refKey(entity),
          finding(podClassSetting, {
            entity,
            affects: [workload, podRef],
            strength: STRENGTH.settingQuoted,
            summary:
              `${object.kind} ${entity.name} sets ${setting.field} "${setting.value}"${changedAt ? ` (created or changed ${changedAt})` : ''}, and pod ${podRef.name} of ${workload.kind} ${workload.name}, which names it, cannot start on it: ${message}`.slice(
                0,
                EVIDENCE_TEXT_LIMIT,
              ),
            evidence: [
              { source: 'event', ref: podRef, text: message.slice(0, EVIDENCE_TEXT_LIMIT) },
              { source: 'spec', ref: entity, text: `${object.kind} ${entity.name} ${setting.field}: ${setting.value}` },
              { source: 'spec', ref: podRef, text: `pod ${podRef.name} names ${object.kind} ${entity.name}` },
            ],
            ...(changedAt ? { changedAt } : {}),
          }),
        );
      }
    }
    return [...byClass.values()];
  },
};
