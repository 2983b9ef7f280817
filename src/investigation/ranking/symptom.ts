import type { EvidenceGraph } from '../evidence/graph.ts';
import { isWorkloadKind } from '../evidence/workloads.ts';
import type { EntityRef } from '../model.ts';

/** The graph nodes the alerted symptom stands for: a pod's workload, a Service, or the workload itself. */
export function symptomNodes(symptom: EntityRef | null, graph: EvidenceGraph): EntityRef[] {
  if (!symptom) return [];
  if (symptom.kind === 'Pod') {
    const pod = graph.pod(symptom.namespace ?? '', symptom.name);
    if (pod) return [graph.workloadOf(pod)];
    // The pod is gone (replaced): its name is its workload's plus generated suffixes.
    const owner = graph.workloads
      .filter((w) => w.ref.namespace === symptom.namespace && symptom.name.startsWith(`${w.ref.name}-`))
      .sort((a, b) => b.ref.name.length - a.ref.name.length)[0];
    return owner ? [owner.ref] : [symptom];
  }
  if (symptom.kind === 'ReplicaSet') {
    const owner = graph.edges.find(
      (e) =>
        e.kind === 'owns' &&
        e.to.kind === 'ReplicaSet' &&
        e.to.name === symptom.name &&
        e.to.namespace === symptom.namespace,
    );
    return [owner?.from ?? symptom];
  }
  if (symptom.kind === 'Service' || isWorkloadKind(symptom.kind)) return [symptom];
  return [symptom];
}
