import type { EvidenceGraph } from '../evidence/graph.ts';
import { refOf } from '../evidence/graph.ts';
import type { EntityRef, FaultType, Finding } from '../model.ts';
import { refKey } from '../model.ts';
import type { Candidate } from './candidate.ts';
import { toMs } from '../evidence/time.ts';
import { FITTING_CHANGE, WEAK_FINDING } from './weights.ts';
import { AFTER_ONSET_SLACK, CHANGE_WINDOW } from '../evidence/onset.ts';

// Fault types that describe how a workload suffers rather than why: any of them can be caused by something upstream.
export const SYMPTOMATIC: ReadonlySet<FaultType> = new Set(['dependency-down', 'other', 'bad-rollout']);

/** When the incident began, and whether the logs read prove a workload's errors began after a time. */
export interface Onset {
  start: number;
  beganAfter: (workload: EntityRef, at: number) => boolean;
}

/**
 * True when `victim` is explained by `cause`: the victim's claim is symptomatic or weak, and the cause's fault reaches
 * it directly (it affects the victim's entity) or through the victim's dependencies; or the victim is a standing
 * condition the cause's change woke up (wokenBy).
 */
export function explainedBy(victim: Candidate, cause: Candidate, graph: EvidenceGraph, onset?: Onset): boolean {
  const v = victim.finding;
  const c = cause.finding;
  if (refKey(v.entity) === refKey(c.entity)) return false;
  if (onset && wokenBy(v, c, onset)) return true;
  if (onset && answersTheChange(v, c, onset)) return false;
  // The receiving side: errors a callee began logging after its caller changed answer the caller's new requests.
  if (onset && answersTheChange(c, v, onset) && dependsOnAny(c.entity, new Set([refKey(v.entity)]), graph)) return true;
  if (c.strength < v.strength) return false;
  const reached = new Set([refKey(c.entity), ...c.affects.map(refKey)]);
  // A run that gave up because the service it handed its work to failed it (workers OOM-killed under it) failed for
  // that service's fault, not its own spec's: a Job's failure is a symptom of a fault in what it calls.
  if (v.faultType === 'job-failure' && !SYMPTOMATIC.has(c.faultType)) return dependsOnAny(v.entity, reached, graph);
  if (!(SYMPTOMATIC.has(v.faultType) || v.strength < WEAK_FINDING)) return false;
  return reached.has(refKey(v.entity)) || dependsOnAny(v.entity, reached, graph);
}

/** Whether a workload (transitively) calls a Service or workload in `targets`. */
function dependsOnAny(from: EntityRef, targets: Set<string>, graph: EvidenceGraph): boolean {
  const seen = new Set<string>();
  const queue = [from];
  while (queue.length > 0) {
    const ref = queue.shift() as EntityRef;
    const key = refKey(ref);
    if (seen.has(key)) continue;
    seen.add(key);
    if (ref !== from && targets.has(key)) return true;
    if (ref.kind === 'Service') {
      const service = graph.service(ref.namespace ?? '', ref.name);
      if (service) queue.push(...graph.workloadsBehind(service));
      continue;
    }
    for (const svc of graph.servicesOf(ref))
      if (ref !== from && targets.has(refKey(refOf('Service', svc.metadata)))) return true;
    queue.push(...graph.dependenciesOf(ref).map((e) => e.to));
  }
  return false;
}

/**
 * The cause claimed is only errors a workload logs (no change of its own dated), and they began after the victim
 * changed: they answer what the changed caller now asks (a callee's "not found" for an API version only the new release
 * calls), so they cannot explain the change that came before them.
 */
function answersTheChange(victim: Finding, cause: Finding, onset: Onset): boolean {
  const changed = toMs(victim.changedAt);
  if (changed === undefined || cause.faultType !== 'other' || cause.changedAt !== undefined) return false;
  return onset.beganAfter(cause.entity, changed);
}

/**
 * A standing condition woken by a change: the victim's entity has been as it is since long before the incident (its
 * last change older than the change window) and its errors began only after the cause — something it reads directly —
 * changed, shortly before the incident. What stood for days without failing cannot explain the onset; the change
 * made just before it does (a flag that sends code down a path with a reference that was always broken).
 */
function wokenBy(victim: Finding, cause: Finding, onset: Onset): boolean {
  const stood = toMs(victim.changedAt);
  const changed = toMs(cause.changedAt);
  if (stood === undefined || changed === undefined || cause.strength < FITTING_CHANGE) return false;
  if (!cause.affects.some((ref) => refKey(ref) === refKey(victim.entity))) return false;
  const recent = changed >= onset.start - CHANGE_WINDOW && changed <= onset.start + AFTER_ONSET_SLACK;
  return recent && stood < changed - CHANGE_WINDOW && onset.beganAfter(victim.entity, changed);
}
