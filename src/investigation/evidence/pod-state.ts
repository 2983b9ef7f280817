import type { Evidence } from '../model.ts';
import type { Pod } from './workloads.ts';

type Status = NonNullable<NonNullable<Pod['status']>['containerStatuses']>[number];

export interface ContainerState {
  pod: Pod;
  status: Status;
  init: boolean;
}

export function containerStates(pod: Pod): ContainerState[] {
  return [
    ...(pod.status?.initContainerStatuses ?? []).map((status) => ({ pod, status, init: true })),
    ...(pod.status?.containerStatuses ?? []).map((status) => ({ pod, status, init: false })),
  ];
}

export const isPodReady = (pod: Pod): boolean =>
  pod.status?.phase === 'Succeeded' ||
  (pod.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');

/** Whether any of the pod's (non-init) containers has been restarted by the kubelet. */
export const hasRestarted = (pod: Pod): boolean =>
  (pod.status?.containerStatuses ?? []).some((status) => (status.restartCount ?? 0) > 0);

/**
 * Whether one of the pod's (non-init) containers is down between restarts (waiting or terminated after having run):
 * it exits, so nothing in it answers a probe — its probe failures say only that it is not running.
 */
export const isBetweenRestarts = (pod: Pod): boolean =>
  (pod.status?.containerStatuses ?? []).some((status) => (status.restartCount ?? 0) > 0 && !status.state?.running);

export function stateEvidence(state: ContainerState): Evidence {
  const { status, pod } = state;
  const waiting = status.state?.waiting;
  const terminated = status.lastState?.terminated ?? status.state?.terminated;
  const parts = [`${state.init ? 'init container' : 'container'} ${status.name}`];
  if (waiting) parts.push(`waiting ${waiting.reason ?? ''}${waiting.message ? `: ${waiting.message}` : ''}`);
  if (terminated)
    parts.push(
      `last terminated ${terminated.reason ?? ''} exit ${terminated.exitCode} at ${terminated.finishedAt ?? '?'}`,
    );
  if (status.restartCount) parts.push(`${status.restartCount} restarts`);
  const evidence: Evidence = {
    source: 'status',
    ref: { kind: 'Pod', namespace: pod.metadata?.namespace ?? '', name: pod.metadata?.name ?? '' },
    text: parts.join('; '),
  };
  const at = terminated?.finishedAt ?? status.state?.running?.startedAt;
  if (at) evidence.at = at;
  return evidence;
}
