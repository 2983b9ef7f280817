import { lastDistinct, logEvidence, logLinesOf } from '../evidence/logs.ts';
import { looksLikeError } from '../evidence/log-line.ts';
import { stateEvidence } from '../evidence/pod-state.ts';
import type { Finding } from '../model.ts';
import { crashingWorkloads, isCalled, unnamedStatefulServer } from './crashing.ts';
import { type Detector, finding } from './detector.ts';
import { rollbackProposal } from '../evidence/rollout.ts';

/**
 * Symptomatic: a crash loop says where the fault shows, not why; any specific finding about the same workload or
 * upstream (a bad ConfigMap, an OOM limit) outranks it (SYMPTOMATIC in ranking/victims.ts).
 */
const STRENGTH = {
  crashing: 0.5,
  /** Others call it: as sure as a called dependency with no ready replica (dependency-down.ts), which it is to them. */
  called: 0.55,
} as const;

/**
 * A workload whose containers keep crashing for a reason no more specific detector names; often a victim. One that
 * others call through its Services is, to them, a dependency down: that is the fault it stands for when nothing
 * upstream of it explains the crash (its own data, its own peers). So is a stateful server the alert does not speak
 * of, whose callers were not read: the alert speaks of what it serves.
 */
export const crashLoop: Detector = {
  id: 'crash-loop',
  faultTypes: ['other', 'dependency-down'],
  detect(snapshot, graph, alert) {
    return crashingWorkloads(snapshot, graph).map((crash): Finding => {
      const called = isCalled(graph, crash.workload) || unnamedStatefulServer(graph, crash.workload, alert);
      const pods = [...new Set(crash.states.map((s) => s.pod.metadata?.name ?? ''))];
      const lines = lastDistinct(
        logLinesOf(snapshot, crash.workload.namespace ?? '', pods, (log) => log.previous),
        looksLikeError,
        2,
      );
      const fault: Finding = finding(crashLoop, {
        faultType: called ? 'dependency-down' : 'other',
        entity: crash.workload,
        affects: [crash.workload],
        strength: called ? STRENGTH.called : STRENGTH.crashing,
        summary: `${crash.workload.kind} ${crash.workload.name} keeps crashing${lines[0] ? `: "${lines[0].text.slice(0, 160)}"` : ''}`,
        evidence: [...crash.states.slice(0, 2).map(stateEvidence), ...lines.map(logEvidence)],
      });
      const remediation = rollbackProposal(snapshot, crash.workload, 'the revision before the crashes');
      if (remediation) fault.remediation = remediation;
      return fault;
    });
  },
};
