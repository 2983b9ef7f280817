import { eventEvidence } from '../evidence/events.ts';
import { refOf } from '../evidence/graph.ts';
import { mayRunOn } from '../evidence/node-fit.ts';
import { allocatable, nodeClosedByNewTaint, podRequests } from '../evidence/node-room.ts';
import { formatCpu, formatBytes } from '../evidence/quantity.ts';
import { revisions } from '../evidence/revisions.ts';
import { rollbackProposal } from '../evidence/rollout.ts';
import { lastChange } from '../evidence/time.ts';
import type { Evidence, Finding } from '../model.ts';
import { refKey } from '../model.ts';
import { type Detector, finding } from './detector.ts';
import { schedulingFailures } from '../evidence/scheduling-failures.ts';

const INSUFFICIENT = /Insufficient ([a-z0-9/-]+(?:\.[a-z0-9/-]+)*)/gi;

/** How sure a finding is (the scale: detectors/detector.ts). */
const STRENGTH = {
  /** The request exceeds every node: no scheduling can ever place it. */
  exceedsEveryNode: 0.95,
  /** Its newest revision raised the request that no node can now fit. */
  requestRaised: 0.9,
  /** A full cluster with nothing impossible and nothing raised may just be a lost node: a weaker claim. */
  clusterFull: 0.6,
  /** A node with room for the pods is closed by a new taint (evidence/node-room.ts): the shortage is its consequence. */
  roomTakenByTaint: 0.5,
} as const;

/** Pods that fit on no node because of what they request: the workload's requests are the fault. */
export const insufficientResources: Detector = {
  id: 'insufficient-resources',
  faultTypes: ['insufficient-resources'],
  detect(snapshot, graph) {
    const findings = new Map<string, Finding>();
    for (const failure of schedulingFailures(snapshot)) {
      const resources = [...failure.message.matchAll(INSUFFICIENT)].map((m) => (m[1] as string).toLowerCase());
      if (resources.length === 0) continue;
      const workload = graph.workloadOf(failure.pod);
      const key = refKey(workload);
      if (findings.has(key)) continue;
      const evidence: Evidence[] = [
        failure.event
          ? eventEvidence(failure.event)
          : { source: 'status', ref: refOf('Pod', failure.pod.metadata), text: failure.message, at: failure.at },
      ];
      let impossible = false;
      for (const resource of resources) {
        const requested = podRequests(failure.pod.spec)[resource] ?? 0;
        // Only the nodes its selector and required affinity admit are places for it (not a dedicated pool's).
        const largest = Math.max(
          0,
          ...snapshot.nodes.filter((n) => mayRunOn(failure.pod, n)).map((n) => allocatable(n, resource)),
        );
        if (requested > 0 && largest > 0 && requested > largest) {
          impossible = true;
          const show = resource === 'cpu' ? formatCpu : formatBytes;
          evidence.push({
            source: 'spec',
            ref: workload,
            text: `requests ${show(requested)} ${resource}; the largest node offers ${show(largest)}`,
          });
        }
      }
      const [current, previous] = workload.kind === 'Deployment' ? revisions(snapshot, workload) : [];
      const raised = current && previous && resources.some((r) => requestOf(current, r) > requestOf(previous, r));
      if (raised)
        evidence.push({
          source: 'change',
          ref: workload,
          text: `revision ${current.metadata?.annotations?.['deployment.kubernetes.io/revision']} raised the ${resources.join('/')} request`,
          at: current.metadata?.creationTimestamp,
        });
      // A node with room that a new taint closed: the shortage on the nodes left open is the taint's consequence.
      const closed = impossible ? undefined : nodeClosedByNewTaint(snapshot, failure.pod);
      if (closed)
        evidence.push({
          source: 'status',
          ref: { kind: 'Node', name: closed.metadata?.name ?? '' },
          text: `Node ${closed.metadata?.name} has room for the pods but a new taint they do not tolerate`,
        });
      const found: Finding = finding(insufficientResources, {
        entity: workload,
        affects: [workload],
        strength: impossible
          ? STRENGTH.exceedsEveryNode
          : closed
            ? STRENGTH.roomTakenByTaint
            : raised
              ? STRENGTH.requestRaised
              : STRENGTH.clusterFull,
        summary: `${workload.kind} ${workload.name}: pods cannot be scheduled (Insufficient ${resources.join(', ')})${impossible ? ': the request exceeds every node' : ''}`,
        evidence,
      });
      const changed = lastChange(graph.workload(workload)?.metadata);
      if (changed) found.changedAt = changed;
      const container = failure.pod.spec?.containers[0];
      const before = previous?.spec?.template?.spec?.containers.find((c) => c.name === container?.name)?.resources
        ?.requests;
      if (container && before && ['Deployment', 'StatefulSet', 'DaemonSet'].includes(workload.kind)) {
        const requests = Object.fromEntries(
          resources
            .filter((r) => ['cpu', 'memory', 'ephemeral-storage'].includes(r) && before[r])
            .map((r) => [r, String(before[r])]),
        );
        const limits = container.resources?.limits;
        const lowerLimits = Object.fromEntries(
          Object.keys(requests)
            .filter((r) => limits?.[r])
            .map((r) => [
              r,
              String(
                previous?.spec?.template?.spec?.containers.find((c) => c.name === container.name)?.resources?.limits?.[
                  r
                ] ?? requests[r],
              ),
            ]),
        );
        if (Object.keys(requests).length > 0) {
          found.remediation = {
            summary: `Set ${workload.name}/${container.name} requests back to ${JSON.stringify(requests)}`,
            action: {
              type: 'set-resources',
              kind: workload.kind as 'Deployment',
              namespace: workload.namespace ?? '',
              name: workload.name,
              container: container.name,
              requests,
              ...(Object.keys(lowerLimits).length ? { limits: lowerLimits } : {}),
            },
          };
        }
      }
      if (!found.remediation) {
        const rollback = rollbackProposal(snapshot, workload, 'the requests before the change');
        if (rollback) found.remediation = rollback;
      }
      findings.set(key, found);
    }
    return [...findings.values()];
  },
};

type ReplicaSet = ReturnType<typeof revisions>[number];
const requestOf = (rs: ReplicaSet, resource: string): number => podRequests(rs.spec?.template?.spec)[resource] ?? 0;
