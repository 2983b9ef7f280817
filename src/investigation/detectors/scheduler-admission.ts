import type { CustomObject } from '../evidence/custom-object.ts';
import type { EvidenceGraph } from '../evidence/graph.ts';
import { refOf } from '../evidence/graph.ts';
import { parseQuantity } from '../evidence/quantity.ts';
import { admittingObjects, heldBySchedulerAdmission } from '../evidence/scheduler-admission.ts';
import type { ClusterSnapshot } from '../evidence/snapshot.ts';
import { lastChange, toMs } from '../evidence/time.ts';
import type { EntityRef, Evidence, Finding } from '../model.ts';
import { refKey } from '../model.ts';
import { type Detector, finding } from './detector.ts';
import { changedBeforeOnset, symptomOnset, type Onset } from '../evidence/onset.ts';

type Pod = ClusterSnapshot['pods'][number];

/** How sure a finding is (the scale: detectors/detector.ts). */
const STRENGTH = {
  /** Its cap on a resource the held pods ask for is reached, and someone changed it shortly before they began to wait. */
  capReachedAfterChange: 0.85,
  /** Its cap is reached (its status says so), nothing dates a change: load grew into it, the cap still holds them. */
  capReached: 0.7,
  /** Changed shortly before the pods it admits began to wait, with no cap seen reached: the suspect to compare. */
  changedBeforeWaiting: 0.6,
} as const;

/**
 * Pods another scheduler holds back (a batch scheduler's queue, a gang, an admission gate) wait on the object that
 * admits them, shared by them and named on them: a cap it sets on a resource they ask for that its status shows
 * reached (capability vs allocated), or an edit shortly before they began to wait. Per-pod objects (one gang per pod)
 * are symptoms of the same wait, not its cause. Nodes with room and the node autoscaler are not at fault: the pods were
 * never offered to them. The catalogue has no type for it: other.
 */
export const schedulerAdmission: Detector = {
  id: 'scheduler-admission',
  faultTypes: ['other'],
  detect(snapshot, graph, alert) {
    if (snapshot.customObjects.length === 0) return [];
    const held = snapshot.pods.filter(heldBySchedulerAdmission);
    if (held.length === 0) return [];
    const admitted = new Map<CustomObject, Pod[]>();
    for (const pod of snapshot.pods)
      for (const object of admittingObjects(pod, snapshot.customObjects))
        admitted.set(object, [...(admitted.get(object) ?? []), pod]);
    const onset = symptomOnset(snapshot, alert?.startsAt);
    return [...admitted.entries()].flatMap(([object, pods]) => judge(object, pods, held, onset, graph));
  },
};

function judge(object: CustomObject, pods: Pod[], allHeld: Pod[], onset: Onset, graph: EvidenceGraph): Finding[] {
  const held = pods.filter((pod) => allHeld.includes(pod));
  // An object of one pod (its own gang) waits with it; the cause is what many share.
  if (held.length === 0 || pods.length < 2) return [];
  const waitingSince = Math.min(
    ...held.map((pod) => toMs(pod.metadata?.creationTimestamp) ?? Number.POSITIVE_INFINITY),
  );
  const changedAt = editedAt(object);
  const changed = toMs(changedAt);
  const recent = changed !== undefined && changed <= waitingSince && changedBeforeOnset(changed, onset);
  const caps = reachedCaps(object, held);
  if (caps.length === 0 && !recent) return [];
  const ref = refOf(object.kind, object.metadata);
  const strength =
    caps.length > 0 ? (recent ? STRENGTH.capReachedAfterChange : STRENGTH.capReached) : STRENGTH.changedBeforeWaiting;
  const what =
    caps.length > 0
      ? `its cap on ${caps.map((c) => `${c.resource} (${c.cap}, ${c.used} in use)`).join(', ')} is reached${recent ? `; it was edited at ${changedAt}, before they began to wait` : ''}`
      : `it was edited at ${changedAt}, shortly before they began to wait: compare it with its previous version`;
  const evidence: Evidence[] = [
    ...caps.map(
      (c): Evidence => ({ source: 'spec', ref, text: `${c.path}: ${c.resource} ${c.cap}; in use ${c.used}` }),
    ),
    ...(recent && changedAt
      ? [{ source: 'change' as const, ref, text: `${ref.kind} ${ref.name} edited at ${changedAt}`, at: changedAt }]
      : []),
    ...held.slice(0, 2).map(
      (pod): Evidence => ({
        source: 'status',
        ref: refOf('Pod', pod.metadata),
        text: `Pending since ${pod.metadata?.creationTimestamp} on no node, ${heldBy(pod)}`,
      }),
    ),
  ];
  return [
    finding(schedulerAdmission, {
      entity: ref,
      affects: affected(held, graph),
      strength,
      summary: `${ref.kind} ${ref.name} admits ${pods.length} pods and holds ${held.length} of them Pending: ${what}. Their scheduler never offers them to the nodes, so free nodes and the node autoscaler do not help`,
      evidence,
      ...(recent && changedAt ? { changedAt } : {}),
    }),
  ];
}

/** What holds the pod back, as its spec says. */
function heldBy(pod: Pod): string {
  const gates = (pod.spec?.schedulingGates ?? []).map((gate) => gate.name);
  return gates.length > 0 ? `scheduling gates ${gates.join(', ')}` : `scheduler ${pod.spec?.schedulerName}`;
}

/** The last edit of the object after its creation (a person's or a deploy tool's), not its creation itself. */
function editedAt(object: CustomObject): string | undefined {
  const at = lastChange(object.metadata);
  return at && at !== object.metadata?.creationTimestamp ? at : undefined;
}

export interface ReachedCap {
  path: string;
  resource: string;
  cap: string;
  used: string;
}

/**
 * Caps in the spec (a map of resource quantities: `capability`, `quota`, `max…`) on a resource the held pods request,
 * which a map of the status under any name (`allocated`, `used`) shows reached.
 */
export function reachedCaps(object: CustomObject, held: Pod[]): ReachedCap[] {
  const requested = new Set(
    held.flatMap((pod) =>
      (pod.spec?.containers ?? []).flatMap((c) => [
        ...Object.keys(c.resources?.requests ?? {}),
        ...Object.keys(c.resources?.limits ?? {}),
      ]),
    ),
  );
  const used = quantityMaps(object.status, 'status');
  return quantityMaps(object.spec, 'spec').flatMap(({ path, values }) =>
    Object.entries(values).flatMap(([resource, cap]) => {
      if (!requested.has(resource)) return [];
      const reached = used.find(
        ({ values: u }) => (parseQuantity(u[resource]) ?? -1) >= (parseQuantity(cap) ?? Number.POSITIVE_INFINITY),
      );
      return reached ? [{ path, resource, cap, used: reached.values[resource] as string }] : [];
    }),
  );
}

/**
 * Maps whose values are all resource quantities (`{cpu: "48", nvidia.com/gpu: "1"}`), with where they sit; a list of
 * named entries with a quantity each (`[{name: nvidia.com/gpu, nominalQuota: "1"}]`) is read as such a map too.
 */
function quantityMaps(value: unknown, path: string): { path: string; values: Record<string, string> }[] {
  if (Array.isArray(value)) {
    const named = namedQuantities(value);
    const own = named ? [{ path, values: named }] : [];
    return [...own, ...value.flatMap((inner, i) => quantityMaps(inner, `${path}[${i}]`))];
  }
  if (!value || typeof value !== 'object') return [];
  const entries = Object.entries(value as Record<string, unknown>);
  const quantities = entries.filter(([, v]) => isQuantity(v));
  const own =
    entries.length > 0 && quantities.length === entries.length
      ? [{ path, values: Object.fromEntries(quantities.map(([k, v]) => [k, String(v)])) }]
      : [];
  return [...own, ...entries.flatMap(([key, inner]) => quantityMaps(inner, `${path}.${key}`))];
}

const isQuantity = (v: unknown): v is string | number =>
  (typeof v === 'string' || typeof v === 'number') && parseQuantity(v) !== undefined;

/** `[{name: cpu, total: "8"}, …]` → `{cpu: "8"}`, when every entry has a name and one quantity. */
function namedQuantities(list: unknown[]): Record<string, string> | undefined {
  const pairs = list.map((entry) => {
    if (!entry || typeof entry !== 'object') return undefined;
    const { name, ...rest } = entry as Record<string, unknown>;
    const quantities = Object.values(rest).filter(isQuantity);
    return typeof name === 'string' && quantities.length === 1 ? [name, String(quantities[0])] : undefined;
  });
  return pairs.length > 0 && pairs.every(Boolean) ? Object.fromEntries(pairs as [string, string][]) : undefined;
}

/** The workloads of the held pods (their controllers as the graph knows them), else the pods. */
function affected(held: Pod[], graph: EvidenceGraph): EntityRef[] {
  const refs = held.map((pod) => graph.workloadOf(pod));
  return [...new Map(refs.map((ref) => [refKey(ref), ref])).values()];
}
