import { refKey } from '../model.ts';
import type { Finding } from '../model.ts';
import { configuredMemory } from '../evidence/configured-memory.ts';
import { memoryLimitDefaultedBy } from '../evidence/limit-defaults.ts';
import { containerStates, stateEvidence } from '../evidence/pod-state.ts';
import { recoveredSince } from '../evidence/recovered.ts';
import { memoryLimitDrift, targetingObjects } from '../evidence/resource-setters.ts';
import { formatBytes, parseQuantity } from '../evidence/quantity.ts';
import { HOUR, lastChange, toMs, snapshotNow } from '../evidence/time.ts';
import { type Detector, finding } from './detector.ts';

/** How sure a finding is (the scale: detectors/detector.ts). */
const STRENGTH = {
  /** Killed at a limit below what the container is configured to use: the spec contradicts itself. */
  limitBelowConfigured: 0.97,
  /** OOMKilled at its memory limit: the kubelet states the fault. */
  atLimit: 0.95,
  /** OOMKilled with no limit of its own: the node ran out, the container was only the one killed. */
  noLimit: 0.85,
  /**
   * OOMKilled at a limit its template does not set, which a LimitRange of the namespace gave it as a default: the
   * setting is the LimitRange's (limit-range-default states it there); the workload is only where it shows.
   */
  limitOfItsNamespace: 0.6,
  /**
   * OOMKilled at a limit its pod runs with but its template does not ask for, set at admission by an object that names
   * the workload as its target (resource-setter states it there): the template is not what the pods run with.
   */
  limitSetOnThePod: 0.6,
} as const;

/** Containers killed for exceeding their memory limit, recently enough to matter. */
export const oomLimit: Detector = {
  id: 'oom-limit',
  faultTypes: ['oom-limit'],
  detect(snapshot, graph) {
    const now = snapshotNow(snapshot);
    const byWorkload = new Map<string, Finding>();
    for (const pod of snapshot.pods) {
      for (const state of containerStates(pod)) {
        const terminated = [state.status.lastState?.terminated, state.status.state?.terminated].find(
          (t) => t?.reason === 'OOMKilled',
        );
        if (!terminated) continue;
        const finished = toMs(terminated.finishedAt) ?? now;
        // Old kills are reported too: the ranking rules them out as history, so the answer can say it looked.
        if (now - finished > 14 * 24 * HOUR) continue;
        const workload = graph.workloadOf(pod);
        const key = refKey(workload);
        const podContainer = pod.spec?.containers.find((c) => c.name === state.status.name);
        const container =
          graph.podSpecOf(workload)?.containers.find((c) => c.name === state.status.name) ?? podContainer;
        const defaultedBy = memoryLimitDefaultedBy(snapshot.limitRanges, pod, podContainer, container);
        const setOnThePod =
          !defaultedBy &&
          memoryLimitDrift(graph, pod, state.status.name) !== undefined &&
          targetingObjects(snapshot, workload).length > 0;
        const limit = parseQuantity(
          defaultedBy || setOnThePod ? podContainer?.resources?.limits?.memory : container?.resources?.limits?.memory,
        );
        const existing = byWorkload.get(key);
        if (existing) {
          existing.evidence.push(stateEvidence(state));
          continue;
        }
        // Told to hold more than the limit allows: the limit is too low for the working set, by the container's own spec.
        const configured = configuredMemory(container);
        const overLimit = limit !== undefined && configured !== undefined && configured.bytes >= limit;
        const fault: Finding = finding(oomLimit, {
          entity: workload,
          affects: [workload],
          strength: defaultedBy
            ? STRENGTH.limitOfItsNamespace
            : setOnThePod
              ? STRENGTH.limitSetOnThePod
              : overLimit
                ? STRENGTH.limitBelowConfigured
                : limit !== undefined
                  ? STRENGTH.atLimit
                  : STRENGTH.noLimit,
          summary: `${workload.kind} ${workload.name}: container ${state.status.name} is OOMKilled${limit !== undefined ? ` at ${defaultedBy ? `the ${formatBytes(limit)} memory limit LimitRange ${defaultedBy.metadata?.name} gave it (its template sets none)` : `its ${formatBytes(limit)} memory limit`}` : ''}${overLimit ? `, below the ${formatBytes(configured.bytes)} it is configured to use (${configured.setting})` : ''} (${state.status.restartCount ?? 0} restarts)`,
          evidence: [
            stateEvidence(state),
            ...(overLimit
              ? [
                  {
                    source: 'spec' as const,
                    ref: workload,
                    text: `container ${state.status.name} is configured to use ${formatBytes(configured.bytes)} (${configured.setting}) within a ${formatBytes(limit)} memory limit`,
                  },
                ]
              : []),
          ],
        });
        const changed = lastChange(graph.workload(workload)?.metadata);
        if (changed) fault.changedAt = changed;
        const recovered = recoveredSince(graph.podsOf(workload));
        if (recovered) fault.recoveredAt = recovered;
        if (
          limit !== undefined &&
          container &&
          workload.kind !== 'Pod' &&
          ['Deployment', 'StatefulSet', 'DaemonSet'].includes(workload.kind)
        ) {
          const request = parseQuantity(container.resources?.requests?.memory) ?? 0;
          const raised = Math.max(
            limit * 2,
            request * 2,
            overLimit ? Math.ceil((configured.bytes * 1.25) / 2 ** 20) * 2 ** 20 : 0,
          );
          fault.remediation = {
            summary: `Raise the memory limit of ${workload.name}/${container.name} from ${formatBytes(limit)} to ${formatBytes(raised)}`,
            action: {
              type: 'set-resources',
              kind: workload.kind as 'Deployment' | 'StatefulSet' | 'DaemonSet',
              namespace: workload.namespace ?? '',
              name: workload.name,
              container: container.name,
              limits: { memory: formatBytes(raised) },
            },
          };
        }
        byWorkload.set(key, fault);
      }
    }
    for (const event of snapshot.events) {
      if (event.reason !== 'OOMKilling' || event.involvedObject?.kind !== 'Node') continue;
      for (const fault of byWorkload.values()) {
        const onNode = graph.podsOf(fault.entity).some((p) => p.spec?.nodeName === event.involvedObject?.name);
        if (onNode)
          fault.evidence.push({
            source: 'event',
            ref: { kind: 'Node', name: event.involvedObject?.name ?? '' },
            text: `OOMKilling: ${event.message ?? ''}`,
            at: event.lastTimestamp ?? event.eventTime ?? undefined,
          });
      }
    }
    return [...byWorkload.values()];
  },
};
