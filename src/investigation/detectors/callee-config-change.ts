import { refOf } from '../evidence/graph.ts';
import { isPodReady } from '../evidence/pod-state.ts';
import { lastChange } from '../evidence/time.ts';
import type { Finding } from '../model.ts';
import { callersFailingSince } from './callers-failing-since.ts';
import { type Detector, finding } from './detector.ts';
import { changedBeforeOnset, symptomOnset } from '../evidence/onset.ts';

/** How sure a finding is (the scale: detectors/detector.ts). */
const STRENGTH = {
  /**
   * As sure as a changed env its callers fail on (changed-env.ts): the configuration its pods read changed, they run
   * ready with it, and the callers that lived with what they answered before fail since.
   */
  callersFailSince: 0.6,
} as const;

/**
 * A ConfigMap a workload reads, edited shortly before, while that workload runs ready and the callers of its Services —
 * unchanged, running before the edit — fail since: the edit changed what the workload answers (a multiplier, a unit,
 * a region), and its callers crash or refuse traffic on the answers. The ConfigMap is the fault, not the callers.
 */
export const calleeConfigChange: Detector = {
  id: 'callee-config-change',
  faultTypes: ['crashloop-bad-config'],
  detect(snapshot, graph, alert) {
    const onset = symptomOnset(snapshot, alert?.startsAt);
    const findings: Finding[] = [];
    for (const configMap of snapshot.configMaps) {
      const changed = lastChange(configMap.metadata);
      if (!changedBeforeOnset(changed, onset)) continue;
      const ref = refOf('ConfigMap', configMap.metadata);
      for (const reader of graph.workloadsReferencing(ref)) {
        const pods = graph.podsOf(reader);
        if (pods.length === 0 || !pods.every(isPodReady)) continue;
        const victims = callersFailingSince(snapshot, graph, reader, changed);
        if (victims.length === 0) continue;
        findings.push(
          finding(calleeConfigChange, {
            entity: ref,
            affects: [ref, reader, ...victims],
            strength: STRENGTH.callersFailSince,
            summary: `ConfigMap ${ref.name} changed at ${changed}; ${reader.name}, which reads it, runs ready, but ${victims.map((v) => v.name).join(', ')}, calling it, fail since`,
            evidence: [
              { source: 'change', ref, text: `ConfigMap ${ref.name} edited`, ...(changed ? { at: changed } : {}) },
              { source: 'graph', ref: reader, text: `${reader.kind} ${reader.name} reads ConfigMap ${ref.name}` },
              ...victims.map((victim) => ({
                source: 'status' as const,
                ref: victim,
                text: `${victim.kind} ${victim.name} calls ${reader.name} and fails since the edit`,
              })),
            ],
            changedAt: changed,
          }),
        );
      }
    }
    return findings;
  },
};
