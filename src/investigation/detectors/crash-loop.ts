import { lastDistinct, logEvidence, logLinesOf } from '../evidence/logs.ts';
import { looksLikeError } from '../evidence/log-line.ts';
import { stateEvidence } from '../evidence/pod-state.ts';
import type { Finding } from '../model.ts';
import { crashingWorkloads } from './crashing.ts';
import { type Detector, finding } from './detector.ts';
import { rollbackProposal } from '../evidence/rollout.ts';

/**
 * Symptomatic: a crash loop says where the fault shows, not why; any specific finding about the same workload or
 * upstream (a bad ConfigMap, an OOM limit) outranks it (SYMPTOMATIC in ranking/victims.ts).
 */
const STRENGTH = 0.5;

/** A workload whose containers keep crashing for a reason no more specific detector names; often a victim. */
export const crashLoop: Detector = {
  id: 'crash-loop',
  faultTypes: ['other'],
  detect(snapshot, graph) {
    return crashingWorkloads(snapshot, graph).map((crash): Finding => {
      const pods = [...new Set(crash.states.map((s) => s.pod.metadata?.name ?? ''))];
      const lines = lastDistinct(
        logLinesOf(snapshot, crash.workload.namespace ?? '', pods, (log) => log.previous),
        looksLikeError,
        2,
      );
      const fault: Finding = finding(crashLoop, {
        entity: crash.workload,
        affects: [crash.workload],
        strength: STRENGTH,
        summary: `${crash.workload.kind} ${crash.workload.name} keeps crashing${lines[0] ? `: "${lines[0].text.slice(0, 160)}"` : ''}`,
        evidence: [...crash.states.slice(0, 2).map(stateEvidence), ...lines.map(logEvidence)],
      });
      const remediation = rollbackProposal(snapshot, crash.workload, 'the revision before the crashes');
      if (remediation) fault.remediation = remediation;
      return fault;
    });
  },
};
