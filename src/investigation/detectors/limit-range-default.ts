import type { Finding } from '../model.ts';
import { refOf } from '../evidence/graph.ts';
import { LIMIT_RANGER_ANNOTATION, memoryLimitDefaultedBy } from '../evidence/limit-defaults.ts';
import { containerStates, stateEvidence } from '../evidence/pod-state.ts';
import { formatBytes, parseQuantity } from '../evidence/quantity.ts';
import { HOUR, lastChange, snapshotNow, toMs } from '../evidence/time.ts';
import { refKey } from '../model.ts';
import { type Detector, finding, seenAgain } from './detector.ts';

/** How sure a finding is (the scale: detectors/detector.ts). */
const STRENGTH = {
  /**
   * Killed at a memory limit its workload never asked for: the kubelet states the kill, the template's silence and the
   * admission annotation state where the limit came from. Above oom-limit's kill at a limit of the workload's own.
   */
  killedAtDefault: 0.96,
} as const;

const WORKLOAD_KINDS = ['Deployment', 'StatefulSet', 'DaemonSet'] as const;
type WorkloadKind = (typeof WORKLOAD_KINDS)[number];
const isWorkloadKind = (kind: string): kind is WorkloadKind => (WORKLOAD_KINDS as readonly string[]).includes(kind);

/**
 * Containers OOM-killed at a memory limit their workload's template does not set: the namespace's LimitRange gave it
 * as a default when the pod was admitted, so the setting to repair lives there (or in a limit of the workload's own),
 * and the workload, unchanged, is its victim. `other`: the catalogue's oom-limit names a workload's own limit.
 */
export const limitRangeDefault: Detector = {
  id: 'limit-range-default',
  faultTypes: ['other'],
  detect(snapshot, graph) {
    const now = snapshotNow(snapshot);
    const byLimitRange = new Map<string, Finding>();
    for (const pod of snapshot.pods) {
      const namespace = pod.metadata?.namespace ?? '';
      for (const state of containerStates(pod)) {
        const terminated = [state.status.lastState?.terminated, state.status.state?.terminated].find(
          (t) => t?.reason === 'OOMKilled',
        );
        if (!terminated || now - (toMs(terminated.finishedAt) ?? now) > 14 * 24 * HOUR) continue;
        const workload = graph.workloadOf(pod);
        if (workload.kind === 'Pod') continue;
        const specs = state.init ? 'initContainers' : 'containers';
        const podContainer = pod.spec?.[specs]?.find((c) => c.name === state.status.name);
        const templateContainer = graph.podSpecOf(workload)?.[specs]?.find((c) => c.name === state.status.name);
        const limitRange = memoryLimitDefaultedBy(snapshot.limitRanges, pod, podContainer, templateContainer);
        const limit = podContainer?.resources?.limits?.memory;
        if (!limitRange) continue;
        const entity = refOf('LimitRange', limitRange.metadata);
        const key = refKey(entity);
        const existing = byLimitRange.get(key);
        if (existing) {
          existing.evidence.push(stateEvidence(state));
          seenAgain(existing, workload);
          continue;
        }
        const bytes = formatBytes(parseQuantity(limit) ?? 0);
        const fault = finding(limitRangeDefault, {
          entity,
          affects: [workload],
          strength: STRENGTH.killedAtDefault,
          summary: `LimitRange ${entity.name}: its default memory limit ${bytes} was given to container ${state.status.name} of ${workload.kind} ${workload.name}, whose template sets none, and the container is OOMKilled at it (${state.status.restartCount ?? 0} restarts)`,
          evidence: [
            stateEvidence(state),
            {
              source: 'spec',
              ref: { kind: 'Pod', namespace, name: pod.metadata?.name ?? '' },
              text: `memory limit ${bytes} on the pod, none in ${workload.kind} ${workload.name}'s template${pod.metadata?.annotations?.[LIMIT_RANGER_ANNOTATION] ? ` (${LIMIT_RANGER_ANNOTATION}: ${pod.metadata.annotations[LIMIT_RANGER_ANNOTATION]})` : ''}`,
            },
            {
              source: 'spec',
              ref: entity,
              text: `LimitRange ${entity.name} gives containers without a limit of their own a default memory limit of ${bytes}${lastChange(limitRange.metadata) ? ` (changed ${lastChange(limitRange.metadata)})` : ''}`,
            },
          ],
        });
        const changed = lastChange(limitRange.metadata);
        if (changed) fault.changedAt = changed;
        const kind = workload.kind;
        if (isWorkloadKind(kind) && !state.init) {
          // The narrowest repair: the workload states the limit it needs, so the namespace's default no longer applies.
          const request = parseQuantity(podContainer?.resources?.requests?.memory) ?? 0;
          const raised = formatBytes(Math.max((parseQuantity(limit) ?? 0) * 2, request * 2));
          fault.remediation = {
            summary: `Give ${workload.name}/${state.status.name} a memory limit of its own (${raised}, twice what it was killed at or requests), or raise LimitRange ${entity.name}'s default`,
            action: {
              type: 'set-resources',
              kind,
              namespace,
              name: workload.name,
              container: state.status.name,
              limits: { memory: raised },
            },
          };
        }
        byLimitRange.set(key, fault);
      }
    }
    return [...byLimitRange.values()];
  },
};
