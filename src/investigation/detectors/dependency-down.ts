import { eventNamespace, eventTime } from '../evidence/events.ts';
import { supersededBy } from '../evidence/generations.ts';
import { type EvidenceGraph, refOf } from '../evidence/graph.ts';
import { isPodReady } from '../evidence/pod-state.ts';
import { lastChange } from '../evidence/time.ts';
import { type Finding, EVIDENCE_TEXT_LIMIT } from '../model.ts';
import { type Detector, finding } from './detector.ts';

/**
 * How sure a finding is (the scale: detectors/detector.ts). Scaled to zero is a decision someone made; zero ready pods
 * is usually a symptom of something more specific, all the more when every pod still waits in an init container.
 */
const STRENGTH = {
  /** Scaled to zero while workloads are seen calling it. */
  scaledToZeroCalled: 0.9,
  /** Scaled to zero with only a Service in front of it to say something relies on it. */
  scaledToZero: 0.6,
  /** No ready replica, and workloads are seen calling it. */
  noneReadyCalled: 0.55,
  /** No ready replica, nobody seen calling it. */
  noneReady: 0.45,
  /** Every pod waits in an init container: what it waits for is the likelier cause. */
  waitingToStart: 0.35,
  /**
   * A StatefulSet scaled down (not to zero) while workloads are seen calling it: its peers and quorum shrank. Above a
   * probe that fails with nothing saying why (probe-failure's 0.55): fewer peers is why.
   */
  scaledDownCalled: 0.6,
} as const;

/** A workload others call that has no ready replica (scaled to zero, or every pod down for whatever reason). */
export const dependencyDown: Detector = {
  id: 'dependency-down',
  faultTypes: ['dependency-down'],
  detect(snapshot, graph) {
    const findings: Finding[] = [];
    for (const workload of graph.workloads) {
      if (!['Deployment', 'StatefulSet'].includes(workload.ref.kind)) continue;
      const services = graph.servicesOf(workload.ref);
      const callers = services.flatMap((s) => graph.callersOf(refOf('Service', s.metadata)));
      const desired = workload.desiredReplicas ?? 1;
      const pods = graph.podsOf(workload.ref);
      const ready = pods.filter(isPodReady).length;
      const shrunk = desired > 0 && callers.length > 0 ? scaledDown(snapshot, workload.ref, desired) : undefined;
      if (shrunk) {
        findings.push(
          finding(dependencyDown, {
            entity: workload.ref,
            affects: [workload.ref, ...callers.map((c) => c.from)],
            strength: STRENGTH.scaledDownCalled,
            summary: `${workload.ref.kind} ${workload.ref.name} was scaled down to ${desired} replica${desired === 1 ? '' : 's'} at ${shrunk.at}: its controller deleted ${shrunk.pods.join(', ')}, while ${callers.map((c) => c.from.name).join(', ')} call it`,
            evidence: [
              { source: 'status', ref: workload.ref, text: `replicas ${desired}, ready ${ready}` },
              ...shrunk.events.slice(0, 2).map((e) => ({
                source: 'event' as const,
                ref: workload.ref,
                text: `${e.reason}: ${e.message ?? ''}`,
                at: eventTime(e) ?? shrunk.at,
              })),
            ],
            changedAt: shrunk.at,
          }),
        );
        continue;
      }
      if (desired > 0 && (ready > 0 || ((workload.readyReplicas ?? 0) > 0 && pods.length === 0))) continue;
      if (desired > 0 && pods.length === 0 && workload.readyReplicas === undefined) continue;
      const scaledToZero = desired === 0;
      const waitingIn = pods.length > 0 && pods.every(initialising) ? initialising(pods[0] as Pod) : undefined;
      // Scaled to zero with nobody seen calling it: only a Service in front of it says something relies on it.
      if (scaledToZero && callers.length === 0 && services.length === 0) continue;
      // An older generation its controller replaced with a newer one is kept to roll back to: down by design.
      if (supersededBy(snapshot, workload.ref)) continue;
      // Down because the scheduler holds every pod for a claim that is not bound: the catalogue names that mechanism,
      // however the callers feel it.
      const claimUnbound = !scaledToZero && pods.length > 0 && pods.every(waitsForClaim);
      const fault: Finding = finding(dependencyDown, {
        ...(claimUnbound ? { namedAs: 'pvc-pending' as const } : {}),
        entity: workload.ref,
        affects: [workload.ref, ...callers.map((c) => c.from)],
        strength: scaledToZero
          ? callers.length > 0
            ? STRENGTH.scaledToZeroCalled
            : STRENGTH.scaledToZero
          : waitingIn
            ? STRENGTH.waitingToStart
            : callers.length > 0
              ? STRENGTH.noneReadyCalled
              : STRENGTH.noneReady,
        summary: scaledToZero
          ? `${workload.ref.kind} ${workload.ref.name} is scaled to 0 replicas while ${callers.length > 0 ? `${callers.map((c) => c.from.name).join(', ')} call it` : `Service ${services.map((s) => s.metadata?.name).join(', ')} routes to it`}`
          : `${workload.ref.kind} ${workload.ref.name} has no ready replica (0/${desired})${waitingIn ? `: its pods wait in init container ${waitingIn}` : ''}`,
        evidence: [
          { source: 'status', ref: workload.ref, text: `replicas ${desired}, ready ${ready}` },
          ...callers.slice(0, 3).map((c) => ({
            source: 'graph' as const,
            ref: c.from,
            text: `${c.from.name} depends on ${c.to.name}: ${c.evidence[0]?.text ?? ''}`.slice(0, EVIDENCE_TEXT_LIMIT),
          })),
        ],
      });
      const changed = lastChange(workload.metadata);
      if (changed) fault.changedAt = changed;
      if (scaledToZero && workload.ref.kind !== 'Pod') {
        fault.remediation = {
          summary: `Scale ${workload.ref.name} back to ${previousReplicas(workload.metadata?.annotations)} replicas`,
          action: {
            type: 'scale',
            kind: workload.ref.kind as 'Deployment' | 'StatefulSet',
            namespace: workload.ref.namespace ?? '',
            name: workload.ref.name,
            replicas: previousReplicas(workload.metadata?.annotations),
          },
        };
      }
      findings.push(fault);
    }
    return findings;
  },
};

type Pod = ReturnType<EvidenceGraph['podsOf']>[number];
type Snapshot = Parameters<Detector['detect']>[0];

const DELETED_ORDINAL = /^delete Pod (\S+)-(\d+) in StatefulSet (\S+) successful/;

/**
 * A StatefulSet's controller deletes pods by ordinal from the top down only when it is scaled down (an update deletes
 * a pod to create it again under the same name): pods it deleted at or beyond its replica count, none of which exists
 * again, show it ran more replicas until then. Not when an autoscaler owns its replica count.
 */
export function scaledDown(
  snapshot: Snapshot,
  ref: { kind: string; namespace?: string; name: string },
  desired: number,
): { at: string; pods: string[]; events: Snapshot['events'] } | undefined {
  if (ref.kind !== 'StatefulSet') return undefined;
  if (
    snapshot.horizontalPodAutoscalers.some(
      (h) => h.metadata?.namespace === ref.namespace && h.spec?.scaleTargetRef?.name === ref.name,
    )
  )
    return undefined;
  const events = snapshot.events.filter((e) => {
    const match = DELETED_ORDINAL.exec(e.message ?? '');
    if (!match || e.involvedObject?.kind !== 'StatefulSet' || e.involvedObject?.name !== ref.name) return false;
    if (eventNamespace(e) !== ref.namespace || match[3] !== ref.name) return false;
    const pod = `${match[1]}-${match[2]}`;
    const exists = snapshot.pods.some((p) => p.metadata?.namespace === ref.namespace && p.metadata?.name === pod);
    return Number(match[2]) >= desired && !exists;
  });
  const times = events
    .map(eventTime)
    .filter((t): t is string => Boolean(t))
    .sort();
  const at = times.at(-1);
  if (!at) return undefined;
  const pods = events.map((e) => DELETED_ORDINAL.exec(e.message ?? '')).map((m) => `${m?.[1]}-${m?.[2]}`);
  return { at, pods: [...new Set(pods)], events };
}

/** The init container a pod is still running (waiting for something before its app starts), if any. */
/** The scheduler's word that a pod waits for a PersistentVolumeClaim to be bound before it can be placed. */
const UNBOUND_CLAIM = /unbound (immediate )?PersistentVolumeClaims/i;

/** A pod still Pending, not scheduled, because a claim it mounts is not bound. */
function waitsForClaim(pod: Pod): boolean {
  const scheduled = (pod.status?.conditions ?? []).find((c) => c.type === 'PodScheduled');
  return (
    pod.status?.phase === 'Pending' && scheduled?.status === 'False' && UNBOUND_CLAIM.test(scheduled.message ?? '')
  );
}

function initialising(pod: Pod): string | undefined {
  return (pod.status?.initContainerStatuses ?? []).find((status) => !status.ready && status.state?.running)?.name;
}

function previousReplicas(annotations: Record<string, string> | undefined): number {
  try {
    const applied = JSON.parse(annotations?.['kubectl.kubernetes.io/last-applied-configuration'] ?? '{}') as {
      spec?: { replicas?: number };
    };
    return applied.spec?.replicas && applied.spec.replicas > 0 ? applied.spec.replicas : 1;
  } catch {
    return 1;
  }
}
