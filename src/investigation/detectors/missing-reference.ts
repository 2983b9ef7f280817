import { eventEvidence } from '../evidence/events.ts';
import { containerStates, isPodReady, stateEvidence } from '../evidence/pod-state.ts';
import { rollbackProposal } from '../evidence/rollout.ts';
import { lastChange } from '../evidence/time.ts';
import type { Evidence, Finding } from '../model.ts';
import { refKey } from '../model.ts';
import { type Detector, finding } from './detector.ts';

const NOT_FOUND =
  /(secret|configmap)s? "?([a-z0-9.-]+)"? not found|couldn't find key ([\w.-]+) in (Secret|ConfigMap) ([\w.-]+)\/([\w.-]+)/i;

/** The kubelet says the pods reference a ConfigMap or Secret that does not exist: the fault is stated. */
const STRENGTH = 0.95;

/**
 * Pods that cannot start because a Secret or ConfigMap (or a key in it) they reference does not exist.
 * The fault lives in the workload that references it (or in whoever forgot to create it; the workload is what changed).
 */
export const missingReference: Detector = {
  id: 'missing-reference',
  faultTypes: ['missing-secret', 'missing-configmap'],
  detect(snapshot, graph) {
    const findings = new Map<string, Finding>();
    const note = (podName: string | undefined, namespace: string | undefined, message: string, evidence: Evidence) => {
      const match = NOT_FOUND.exec(message);
      if (!match) return;
      const kind = (match[1] ?? match[4] ?? '').toLowerCase() === 'secret' ? 'Secret' : 'ConfigMap';
      const missing = match[2] ?? match[6] ?? '';
      const pod = graph.pod(namespace ?? '', podName ?? '');
      // A pod that runs despite an old mount warning is not blocked by it.
      if (!pod || isPodReady(pod)) return;
      const workload = graph.workloadOf(pod);
      const key = refKey(workload);
      const existing = findings.get(key);
      if (existing) {
        if (existing.evidence.length < 6) existing.evidence.push(evidence);
        return;
      }
      const result: Finding = finding(missingReference, {
        faultType: kind === 'Secret' ? 'missing-secret' : 'missing-configmap',
        entity: workload,
        affects: [workload],
        strength: STRENGTH,
        summary: `${workload.kind} ${workload.name} references ${kind} ${missing}${match[3] ? ` key ${match[3]}` : ''}, which does not exist`,
        evidence: [evidence],
      });
      const changed = lastChange(graph.workload(workload)?.metadata);
      if (changed) result.changedAt = changed;
      const remediation = rollbackProposal(snapshot, workload, `the revision before it referenced ${missing}`);
      if (remediation) result.remediation = remediation;
      findings.set(key, result);
    };
    for (const pod of snapshot.pods) {
      for (const state of containerStates(pod)) {
        const waiting = state.status.state?.waiting;
        if (waiting?.reason === 'CreateContainerConfigError' && waiting.message) {
          note(pod.metadata?.name, pod.metadata?.namespace, waiting.message, stateEvidence(state));
        }
      }
    }
    for (const event of snapshot.events) {
      if (event.involvedObject?.kind !== 'Pod' || !/Failed|FailedMount/.test(event.reason ?? '')) continue;
      note(
        event.involvedObject.name,
        event.involvedObject.namespace ?? event.metadata?.namespace,
        event.message ?? '',
        eventEvidence(event),
      );
    }
    return [...findings.values()];
  },
};
