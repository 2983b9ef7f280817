import { eventsFor, eventTime, type KubeEvent } from '../evidence/events.ts';
import type { ClusterSnapshot } from '../evidence/snapshot.ts';
import type { Pod } from '../evidence/workloads.ts';

export interface SchedulingFailure {
  pod: Pod;
  message: string;
  at?: string;
  event?: KubeEvent;
}

/** Pods the scheduler cannot place, with its reason (the event's, else the PodScheduled condition's). */
export function schedulingFailures(snapshot: ClusterSnapshot): SchedulingFailure[] {
  const failures: SchedulingFailure[] = [];
  for (const pod of snapshot.pods) {
    if (pod.status?.phase !== 'Pending' || pod.spec?.nodeName) continue;
    const condition = (pod.status.conditions ?? []).find((c) => c.type === 'PodScheduled' && c.status === 'False');
    const event = eventsFor(snapshot, 'Pod', pod.metadata?.namespace, pod.metadata?.name ?? '').find(
      (e) => e.reason === 'FailedScheduling',
    );
    const message = event?.message ?? condition?.message;
    if (!message) continue;
    const failure: SchedulingFailure = { pod, message };
    const at = event ? eventTime(event) : condition?.lastTransitionTime;
    if (at) failure.at = at;
    if (event) failure.event = event;
    failures.push(failure);
  }
  return failures;
}
