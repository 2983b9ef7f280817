import { eventEvidence, eventsFor } from '../evidence/events.ts';
import type { EvidenceGraph } from '../evidence/graph.ts';
import { refOf } from '../evidence/graph.ts';
import { refusedForIdentity } from '../evidence/identity-chain.ts';
import { revisionOf, revisions } from '../evidence/revisions.ts';
import type { ClusterSnapshot } from '../evidence/snapshot.ts';
import type { EntityRef, Evidence, Finding } from '../model.ts';
import { type Detector, finding } from './detector.ts';

type Hpa = ClusterSnapshot['horizontalPodAutoscalers'][number];
type Condition = NonNullable<NonNullable<Hpa['status']>['conditions']>[number];

// `failed to get cpu utilization: missing request for cpu in container web of Pod web-7d…`
const MISSING_REQUEST = /missing request for (\w+)(?: in container ([\w.-]+))?/i;

/** How sure a finding is (the scale: detectors/detector.ts). */
const STRENGTH = {
  /** At maxReplicas with utilization above its target: more load than it may scale for. */
  atMaxOverTarget: 0.85,
  /** At maxReplicas (ScalingLimited TooManyReplicas), utilization not seen above target. */
  atMax: 0.7,
  /** At maxReplicas while its pods log calls refused for their identity: a consequence, a lead at most. */
  atMaxRefused: 0.4,
  /** The target sets no request for the metric: the autoscaler cannot compute a replica count (the spec says why). */
  noRequest: 0.8,
  /** It cannot scale (ScalingActive False) for another reason its condition gives. */
  cannotScale: 0.75,
} as const;

/**
 * Autoscalers that cannot give their workload the replicas it needs: pinned at maxReplicas while the metric stays
 * above target, or unable to scale at all (ScalingActive or AbleToScale False: no metric, no request to compute a
 * utilisation from, no scale subresource). An autoscaler that asks for more replicas than exist, below its maximum,
 * is not limited: whatever refuses the pods (a quota, the scheduler) is.
 */
export const hpaLimit: Detector = {
  id: 'hpa-limit',
  faultTypes: ['hpa-limit'],
  detect(snapshot, graph) {
    return snapshot.horizontalPodAutoscalers.flatMap((hpa): Finding[] => [
      ...atCeiling(hpa, snapshot, graph),
      ...unableToScale(hpa, snapshot, graph),
    ]);
  },
};

const targetOf = (hpa: Hpa): EntityRef | undefined => {
  const target = hpa.spec?.scaleTargetRef;
  return target ? { kind: target.kind, namespace: hpa.metadata?.namespace ?? '', name: target.name } : undefined;
};

function atCeiling(hpa: Hpa, snapshot: ClusterSnapshot, graph: EvidenceGraph): Finding[] {
  const max = hpa.spec?.maxReplicas;
  const current = hpa.status?.currentReplicas ?? 0;
  if (max === undefined || current < max) return [];
  const limited = (hpa.status?.conditions ?? []).find((c) => c.type === 'ScalingLimited' && c.status === 'True');
  const ref = refOf('HorizontalPodAutoscaler', hpa.metadata);
  const evidence: Evidence[] = [
    {
      source: 'status',
      ref,
      text: `currentReplicas ${current}, desiredReplicas ${hpa.status?.desiredReplicas ?? '?'}, maxReplicas ${max}`,
    },
  ];
  let over = false;
  for (const metric of hpa.status?.currentMetrics ?? []) {
    const observed = metric.resource?.current?.averageUtilization;
    const name = metric.resource?.name;
    const target = hpa.spec?.metrics?.find((m) => m.resource?.name === name)?.resource?.target?.averageUtilization;
    if (observed !== undefined && target !== undefined) {
      evidence.push({ source: 'metric', ref, text: `${name} utilization ${observed}% against a target of ${target}%` });
      if (observed > target) over = true;
    }
  }
  if (limited) evidence.push(conditionEvidence(ref, limited));
  if (!over && !(limited && /TooManyReplicas/i.test(limited.reason ?? ''))) return [];
  const target = targetOf(hpa);
  // Scaled out to its ceiling on a backlog its pods cannot work off because the provider refuses who they are: more
  // replicas would be refused the same way, the ceiling is a consequence.
  const refused = !over && target !== undefined && refusedForWhoTheyAre(snapshot, graph, target);
  return [
    finding(hpaLimit, {
      entity: ref,
      affects: target ? [target] : [],
      strength: refused ? STRENGTH.atMaxRefused : over ? STRENGTH.atMaxOverTarget : STRENGTH.atMax,
      summary: `HorizontalPodAutoscaler ${ref.name} is at maxReplicas ${max}${over ? ' with utilization above target' : ''}: ${target?.name ?? 'its target'} cannot scale out`,
      evidence,
      ...(limited?.lastTransitionTime ? { changedAt: limited.lastTransitionTime } : {}),
    }),
  ];
}

/** Whether the pods of the scaled workload log calls refused for their identity (identity-chain.ts). */
function refusedForWhoTheyAre(snapshot: ClusterSnapshot, graph: EvidenceGraph, target: EntityRef): boolean {
  const pods = new Set(graph.podsOf(target).map((pod) => pod.metadata?.name));
  return snapshot.logs.some(
    (log) => log.namespace === target.namespace && pods.has(log.pod) && log.lines.some(refusedForIdentity),
  );
}

/**
 * ScalingActive or AbleToScale False: the controller computes no replica count at all. When it says a container has
 * no request for the metric's resource, the fault lives in the workload's pod template (a utilisation is a percentage
 * of the request), and the revision that dropped the request dates it.
 */
function unableToScale(hpa: Hpa, snapshot: ClusterSnapshot, graph: EvidenceGraph): Finding[] {
  const failed = (hpa.status?.conditions ?? []).filter(
    (c) => (c.type === 'ScalingActive' || c.type === 'AbleToScale') && c.status === 'False',
  );
  const condition = failed[0];
  if (!condition) return [];
  const ref = refOf('HorizontalPodAutoscaler', hpa.metadata);
  const target = targetOf(hpa);
  const warnings = eventsFor(snapshot, ref.kind, ref.namespace, ref.name).filter((e) => e.type === 'Warning');
  const evidence: Evidence[] = [
    ...failed.map((c) => conditionEvidence(ref, c)),
    // One line per reason: a repeated event says so with its count.
    ...warnings.slice(0, 2).map(eventEvidence),
  ];
  const missing = MISSING_REQUEST.exec([condition.message, ...warnings.map((e) => e.message)].join('\n'));
  const workload = target && graph.workload(target);
  if (missing && target && workload) {
    const resource = missing[1] as string;
    const dropped = droppedRequest(snapshot, target, resource);
    const containers = (workload.template?.spec?.containers ?? [])
      .filter((c) => c.resources?.requests?.[resource] === undefined)
      .map((c) => c.name);
    evidence.unshift({
      source: 'spec',
      ref: target,
      text: `no ${resource} request in container${containers.length > 1 ? 's' : ''} ${containers.join(', ') || missing[2] || '?'}: HorizontalPodAutoscaler ${ref.name} computes ${resource} utilization as a percentage of it`,
    });
    if (dropped) evidence.unshift(dropped.evidence);
    return [
      finding(hpaLimit, {
        entity: target,
        affects: [target, ref],
        strength: STRENGTH.noRequest,
        summary: `${target.kind} ${target.name} sets no ${resource} request, so HorizontalPodAutoscaler ${ref.name} cannot compute a replica count (${condition.type} False: ${condition.reason ?? ''}) and stays at ${hpa.status?.currentReplicas ?? '?'} replica(s)`,
        evidence,
        ...(dropped ? { changedAt: dropped.at } : {}),
      }),
    ];
  }
  return [
    finding(hpaLimit, {
      entity: ref,
      affects: target ? [target] : [],
      strength: STRENGTH.cannotScale,
      summary: `HorizontalPodAutoscaler ${ref.name} cannot scale ${target?.name ?? 'its target'} (${condition.type} False: ${condition.reason ?? ''}) and stays at ${hpa.status?.currentReplicas ?? '?'} replica(s)`,
      evidence,
      ...(condition.lastTransitionTime ? { changedAt: condition.lastTransitionTime } : {}),
    }),
  ];
}

/** The rollout that removed a resource request the previous revision still had: when, and which revision. */
function droppedRequest(
  snapshot: ClusterSnapshot,
  target: EntityRef,
  resource: string,
): { at: string; evidence: Evidence } | undefined {
  const history = revisions(snapshot, target);
  for (let i = 0; i + 1 < history.length; i++) {
    const [current, previous] = [history[i], history[i + 1]];
    const requested = (rs: typeof current) =>
      (rs?.spec?.template?.spec?.containers ?? []).some((c) => c.resources?.requests?.[resource] !== undefined);
    const at = current?.metadata?.creationTimestamp;
    if (!current || !at || requested(current) || !requested(previous)) continue;
    return {
      at,
      evidence: {
        source: 'change',
        ref: refOf('ReplicaSet', current.metadata),
        text: `revision ${revisionOf(current)} of ${target.name} (rolled out ${at}) removed the ${resource} request revision ${revisionOf(previous as NonNullable<typeof current>)} had`,
        at,
      },
    };
  }
  return undefined;
}

const conditionEvidence = (ref: EntityRef, c: Condition): Evidence => ({
  source: 'status',
  ref,
  text: `${c.type}=${c.status} ${c.reason ?? ''}: ${c.message ?? ''}`,
  ...(c.lastTransitionTime ? { at: c.lastTransitionTime } : {}),
});
