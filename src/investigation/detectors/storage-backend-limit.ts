import { refOf } from '../evidence/graph.ts';
import { againstSetting, namesSetting, settingsOf } from '../evidence/limit-settings.ts';
import { backingObjects } from '../evidence/storage-backends.ts';
import { EVIDENCE_TEXT_LIMIT, type Finding, refKey } from '../model.ts';
import { type Detector, finding, seenAgain } from './detector.ts';

/** How sure a finding is (the scale: detectors/detector.ts). */
const STRENGTH = {
  /**
   * What its operator reports of the backend names it, names its limit and quotes its value: the writes of the pods
   * whose volumes live there stall at it. The operator states the limit reached; that the pods stall of it is inferred.
   */
  limitReported: 0.85,
  /** The same, without the value quoted. */
  limitNamed: 0.75,
} as const;

/** A name shorter than this stands in a message by chance. */
const SHORTEST_NAME = 4;

/**
 * Pods run but stop answering, and their volumes live in an operator's object their claim's StorageClass names (a
 * pool: evidence/storage-backends.ts) whose limit setting (a quota) a Warning its operator reports names, beside the
 * object's name: the object's setting refuses the writes the pods wait on. The pods, their workload and the claim are
 * victims; the setting is raised there. The catalogue has no type for it: other.
 */
export const storageBackendLimit: Detector = {
  id: 'storage-backend-limit',
  faultTypes: ['other'],
  detect(snapshot, graph) {
    const warnings = snapshot.events.filter((e) => e.type === 'Warning');
    if (warnings.length === 0) return [];
    const namespaces = [...new Set(snapshot.pods.map((p) => p.metadata?.namespace ?? ''))];
    const byBackend = new Map<string, Finding>();
    for (const backing of namespaces.flatMap((ns) => backingObjects(snapshot, ns))) {
      const { backend, claim, pod, storageClass, parameter } = backing;
      const name = backend.metadata?.name ?? '';
      if (name.length < SHORTEST_NAME) continue;
      const entity = refOf(backend.kind, backend.metadata);
      const workload = graph.workloadOf(pod);
      const claimRef = refOf('PersistentVolumeClaim', claim.metadata);
      const held = byBackend.get(refKey(entity));
      if (held) {
        seenAgain(held, workload);
        continue;
      }
      const said = settingsOf(backend).flatMap((setting) =>
        warnings
          .map((event) => ({ event, line: `${event.reason ?? ''}: ${event.message ?? ''}` }))
          .filter(({ line }) => line.includes(name) && namesSetting(setting, line))
          .map(({ event, line }) => ({ setting, event, line, against: againstSetting(setting, line) })),
      );
      const best = said.find((s) => s.against === 'quotes') ?? said[0];
      if (!best) continue;
      byBackend.set(
        refKey(entity),
        finding(storageBackendLimit, {
          entity,
          affects: [workload, claimRef, refOf('Pod', pod.metadata)],
          strength: best.against === 'quotes' ? STRENGTH.limitReported : STRENGTH.limitNamed,
          summary: `${backend.kind} ${name} sets ${best.setting.path} = ${best.setting.value}, and its operator reports it reached (${best.event.reason}); the volume of ${workload.kind} ${workload.name} (claim ${claimRef.name}, StorageClass ${storageClass.metadata?.name}, parameters.${parameter}) lives there, and its pod runs but stops answering: its writes wait on it. Raise the limit there, not in the workload or the claim`,
          evidence: [
            {
              source: 'event',
              ref: refOf(best.event.involvedObject?.kind ?? '', {
                name: best.event.involvedObject?.name ?? '',
                namespace: best.event.involvedObject?.namespace,
              }),
              text: best.line.slice(0, EVIDENCE_TEXT_LIMIT),
              ...(best.event.lastTimestamp ? { at: best.event.lastTimestamp } : {}),
            },
            {
              source: 'spec',
              ref: entity,
              text: `${backend.kind} ${name} ${best.setting.path}: ${best.setting.value}`,
            },
            {
              source: 'spec',
              ref: claimRef,
              text: `claim ${claimRef.name} of ${workload.name} uses StorageClass ${storageClass.metadata?.name}, whose parameters.${parameter} is ${name}`,
            },
          ],
        }),
      );
    }
    return [...byBackend.values()];
  },
};
