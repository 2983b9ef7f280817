import { eventsFor, eventTime, type KubeEvent } from './events.ts';
import type { ClusterSnapshot } from './snapshot.ts';
import type { Pod } from './workloads.ts';

export interface SchedulingFailure {
  pod: Pod;
  message: string;
  at?: string;
  event?: KubeEvent;
}

const SCHEDULER_VERDICT = /\b\d+\/\d+ nodes are available/;

/** Pods the scheduler cannot place, with its reason (the event's, else the PodScheduled condition's). */
export function schedulingFailures(snapshot: ClusterSnapshot): SchedulingFailure[] {
  const failures: SchedulingFailure[] = [];
  for (const pod of snapshot.pods) {
    if (pod.spec?.nodeName) continue;
    const condition = (pod.status?.conditions ?? []).find((c) => c.type === 'PodScheduled' && c.status === 'False');
    // Not placed on a node: Pending, or whatever phase is written beside a PodScheduled=False condition.
    if (pod.status?.phase !== 'Pending' && !condition) continue;
    // The scheduler's verdict counts the nodes and why each refused ("0/8 nodes are available: …"); a node
    // autoscaler's event of the same reason says only why it could not add one, and may come later.
    const events = eventsFor(snapshot, 'Pod', pod.metadata?.namespace, pod.metadata?.name ?? '').filter(
      (e) => e.reason === 'FailedScheduling',
    );
    const event = events.find((e) => SCHEDULER_VERDICT.test(e.message ?? '')) ?? events[0];
    const message =
      event && !SCHEDULER_VERDICT.test(event.message ?? '') && SCHEDULER_VERDICT.test(condition?.message ?? '')
        ? condition?.message
        : (event?.message ?? condition?.message);
    if (!message) continue;
    const failure: SchedulingFailure = { pod, message };
    const at = event ? eventTime(event) : condition?.lastTransitionTime;
    if (at) failure.at = at;
    if (event) failure.event = event;
    failures.push(failure);
  }
  return failures;
}
