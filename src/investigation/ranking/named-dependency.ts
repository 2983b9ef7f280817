import type { EvidenceGraph } from '../evidence/graph.ts';
import type { EntityRef, Finding } from '../model.ts';
import { LEAD_STRENGTH } from './weights.ts';

export const NAMED_DEPENDENCY = 'named-dependency';

/**
 * When nothing abnormal was found to explain the symptom: the dependency its own error lines name most, as a weak lead
 * (the failure is there or on the way there) rather than no answer. The workload behind the Service when there is
 * exactly one, else the Service.
 */
export function namedDependency(starts: EntityRef[], graph: EvidenceGraph): Finding | null {
  const callers = starts.flatMap((start) => {
    if (start.kind !== 'Service') return [start];
    const service = graph.service(start.namespace ?? '', start.name);
    return service ? graph.workloadsBehind(service) : [];
  });
  const named = callers
    .flatMap((caller) => graph.dependenciesOf(caller))
    .map((edge) => ({ edge, lines: edge.evidence.filter((evidence) => evidence.source === 'log') }))
    .filter(({ lines }) => lines.length > 0)
    .sort((a, b) => b.lines.length - a.lines.length)[0];
  if (!named) return null;
  const { edge, lines } = named;
  const service = graph.service(edge.to.namespace ?? '', edge.to.name);
  const behind = service ? graph.workloadsBehind(service).filter((ref) => ref.kind !== 'Pod') : [];
  const entity = behind.length === 1 ? (behind[0] as EntityRef) : edge.to;
  return {
    detector: NAMED_DEPENDENCY,
    faultType: 'other',
    entity,
    affects: [edge.to, edge.from],
    strength: LEAD_STRENGTH.namedDependency,
    summary: `Nothing abnormal found in what was read; the errors of ${edge.from.name} name ${edge.to.kind} ${edge.to.name}${edge.to.namespace && edge.to.namespace !== edge.from.namespace ? ` in ${edge.to.namespace}` : ''}, the likeliest place of the fault`,
    evidence: lines.slice(0, 3),
  };
}
