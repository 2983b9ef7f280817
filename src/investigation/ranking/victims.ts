import type { EvidenceGraph } from '../evidence/graph.ts';
import { refOf } from '../evidence/graph.ts';
import type { EntityRef, FaultType } from '../model.ts';
import { refKey } from '../model.ts';
import type { Candidate } from './candidate.ts';
import { WEAK_FINDING } from './weights.ts';

// Fault types that describe how a workload suffers rather than why: any of them can be caused by something upstream.
export const SYMPTOMATIC: ReadonlySet<FaultType> = new Set(['dependency-down', 'other', 'bad-rollout']);

/**
 * True when `victim` is explained by `cause`: the victim's claim is symptomatic or weak, and the cause's fault reaches
 * it directly (it affects the victim's entity) or through the victim's dependencies.
 */
export function explainedBy(victim: Candidate, cause: Candidate, graph: EvidenceGraph): boolean {
  const v = victim.finding;
  const c = cause.finding;
  if (refKey(v.entity) === refKey(c.entity)) return false;
  if (!(SYMPTOMATIC.has(v.faultType) || v.strength < WEAK_FINDING)) return false;
  if (c.strength < v.strength) return false;
  const reached = new Set([refKey(c.entity), ...c.affects.map(refKey)]);
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
