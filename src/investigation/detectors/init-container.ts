import { lastDistinct, logEvidence, logLinesOf } from '../evidence/logs.ts';
import { looksLikeError } from '../evidence/log-line.ts';
import { containerStates, stateEvidence } from '../evidence/pod-state.ts';
import { rollbackProposal } from '../evidence/rollout.ts';
import { lastChange, MINUTE, snapshotNow, toMs } from '../evidence/time.ts';
import type { GraphEdge } from '../evidence/graph.ts';
import type { PodSpec } from '../evidence/workloads.ts';
import type { Finding } from '../model.ts';
import { refKey } from '../model.ts';
import { type Detector, finding } from './detector.ts';

/** How sure a finding is (the scale: detectors/detector.ts). */
const STRENGTH = {
  /** An init container fails on its own. */
  fails: 0.9,
  /** It waits on a peer that its log names: that peer's victim, so the claim stays weak. */
  waitsOnPeer: 0.5,
} as const;

/**
 * An init container is a step before the pod starts: one still running this long after it started, while the pod
 * waits (a loop waiting for a name, a fetch that hangs), never finishes, whether or not it ever exits — no restart, no
 * Warning event, only a pod that never runs its containers.
 */
const NEVER_FINISHES = 10 * MINUTE;

/**
 * Whether the init container's own command, arguments or env name the peer: a loop that never finishes while its
 * spec names a Service (`until nc -z db 5432`) is waiting for that peer, so the wait is the peer's symptom.
 */
function namedByInitSpec(edge: GraphEdge, spec: PodSpec | undefined, name: string): boolean {
  const container = spec?.initContainers?.find((c) => c.name === name);
  if (!container) return false;
  const texts = new Set([
    ...[...(container.command ?? []), ...(container.args ?? [])].map((a) => `argument ${a}`),
    ...(container.env ?? []).map((e) => `env ${e.name}=${e.value ?? ''}`),
  ]);
  return edge.evidence.some((e) => e.source === 'spec' && texts.has(e.text));
}

/** Init containers that fail or never finish, so the pod never starts. */
export const initContainer: Detector = {
  id: 'init-container',
  faultTypes: ['init-container'],
  detect(snapshot, graph) {
    const findings = new Map<string, Finding>();
    const now = snapshotNow(snapshot);
    for (const pod of snapshot.pods) {
      for (const state of containerStates(pod)) {
        if (!state.init) continue;
        const waiting = state.status.state?.waiting?.reason;
        const terminated = state.status.state?.terminated ?? state.status.lastState?.terminated;
        const running = state.status.state?.running;
        const ranFor = running && pod.status?.phase === 'Pending' ? now - (toMs(running.startedAt) ?? now) : 0;
        const stuck = ranFor >= NEVER_FINISHES && (state.status.restartCount ?? 0) === 0 ? ranFor : 0;
        const failing =
          waiting === 'CrashLoopBackOff' ||
          (terminated && terminated.exitCode !== 0) ||
          (!!running && pod.status?.phase === 'Pending' && (state.status.restartCount ?? 0) > 0) ||
          ranFor >= NEVER_FINISHES;
        if (!failing) continue;
        const workload = graph.workloadOf(pod);
        const key = refKey(workload);
        if (findings.has(key)) {
          findings.get(key)?.evidence.push(stateEvidence(state));
          continue;
        }
        const lines = lastDistinct(
          logLinesOf(
            snapshot,
            pod.metadata?.namespace ?? '',
            [pod.metadata?.name ?? ''],
            (l) => l.container === state.status.name,
          ),
          looksLikeError,
          2,
        );
        const peers = graph
          .dependenciesOf(workload)
          .filter(
            (d) =>
              d.evidence.some((e) => e.source === 'log' && lines.some((l) => e.text === l.text)) ||
              (stuck > 0 && namedByInitSpec(d, graph.podSpecOf(workload), state.status.name)),
          );
        const fault: Finding = finding(initContainer, {
          entity: workload,
          affects: [workload],
          strength: peers.length > 0 ? STRENGTH.waitsOnPeer : STRENGTH.fails,
          summary: `${workload.kind} ${workload.name}: init container ${state.status.name} ${stuck ? `has run ${Math.round(stuck / MINUTE)} min without finishing, so the pod never starts` : 'fails'}${lines[0] ? `: "${lines[0].text.slice(0, 160)}"` : ''}`,
          evidence: [stateEvidence(state), ...lines.map(logEvidence)],
        });
        const changed = lastChange(graph.workload(workload)?.metadata);
        if (changed) fault.changedAt = changed;
        const remediation = rollbackProposal(snapshot, workload, 'the init container before the change');
        if (remediation) fault.remediation = remediation;
        findings.set(key, fault);
      }
    }
    return [...findings.values()];
  },
};
