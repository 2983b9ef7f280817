import { eventEvidence } from '../evidence/events.ts';
import { refOf } from '../evidence/graph.ts';
import { formatBytes, formatCpu } from '../evidence/quantity.ts';
import { podRequests, requestedBy } from '../evidence/node-room.ts';
import { roomTakers } from '../evidence/room-takers.ts';
import type { EntityRef, Evidence } from '../model.ts';
import { type Detector, finding } from './detector.ts';

/** How sure a finding is (the scale: detectors/detector.ts). */
const STRENGTH = {
  /**
   * Counted from what the nodes hold: without the pods the object made since its change, a node would hold the refused
   * pod. Above the refused workload's own finding when its requests are neither impossible nor raised (0.6), below a
   * raised request (0.9), which says the refused workload changed itself.
   */
  roomTaken: 0.8,
} as const;

/**
 * Pods refused for capacity (Insufficient cpu) on nodes where the pods another object made since its recent change
 * took the room they had (evidence/room-takers.ts): that object — the top of the newcomers' controllers, a schedule
 * that now starts runs more often, an operator's resource that asks for more — is where the change lives; the refused
 * workload is its victim. An operator's or controller's resource has no catalogue type (other); a built-in workload
 * that grew into the room is insufficient-resources.
 */
export const roomTaken: Detector = {
  id: 'room-taken',
  faultTypes: ['other', 'insufficient-resources'],
  detect(snapshot, graph) {
    return roomTakers(snapshot).map((taken) => {
      const { top, failure, resource, pods, nodes, changedAt } = taken;
      const entity: EntityRef = { kind: top.kind, namespace: top.namespace, name: top.name };
      const victim = graph.workloadOf(failure.pod);
      const show = resource === 'cpu' ? formatCpu : resource === 'memory' ? formatBytes : String;
      const held = requestedBy(pods, resource);
      const evidence: Evidence[] = [
        failure.event
          ? eventEvidence(failure.event)
          : { source: 'status', ref: refOf('Pod', failure.pod.metadata), text: failure.message },
        {
          source: 'change',
          ref: entity,
          text: `${top.kind} ${top.name} last changed at ${changedAt}; ${pods.length} pod${pods.length > 1 ? 's' : ''} it made since hold ${show(held)} ${resource} on ${nodes.join(', ')}`,
          at: changedAt,
        },
        ...pods.slice(0, 3).map(
          (pod): Evidence => ({
            source: 'spec',
            ref: refOf('Pod', pod.metadata),
            text: `pod ${pod.metadata?.name}, made ${pod.metadata?.creationTimestamp}, requests ${show(podRequests(pod.spec)[resource] ?? 0)} ${resource} on ${pod.spec?.nodeName}`,
          }),
        ),
      ];
      return finding(roomTaken, {
        entity,
        affects: [victim, ...pods.slice(0, 3).map((pod) => refOf('Pod', pod.metadata))],
        ...(top.custom ? {} : { faultType: 'insufficient-resources' as const }),
        strength: STRENGTH.roomTaken,
        summary: `${top.kind} ${top.name} changed at ${changedAt}, and the ${pods.length} pod${pods.length > 1 ? 's' : ''} it made since took the ${resource} that ${victim.kind} ${victim.name}'s pods need: without them ${nodes.join(', ')} would hold them. To confirm: compare its spec with the previous one (what makes it start more, or larger, pods), and revert the setting there — not the refused workload's requests`,
        evidence,
        changedAt,
      });
    });
  },
};
