import type { EvidenceGraph } from '../evidence/graph.ts';
import type { EntityRef } from '../model.ts';
import { refKey } from '../model.ts';
import { hintsAt } from '../focus.ts';

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
    return [graph.ownerOf(symptom) ?? symptom];
  }
  if (symptom.kind === 'HorizontalPodAutoscaler') {
    // An autoscaler's symptom is its workload's: too few replicas for the load.
    const scaled = graph.edges.find((e) => e.kind === 'scales' && refKey(e.from) === refKey(symptom));
    return [scaled?.to ?? symptom];
  }
  return [symptom];
}

/**
 * Workloads an alert's free text hints at without naming them exactly ("basket broken" → basket-api, basket-store): a word
 * of four letters or more that is a dash-separated part, prefix or suffix of the name. The namespace's own name is no hint.
 */
export function hintedNodes(alertText: string, namespace: string, graph: EvidenceGraph): EntityRef[] {
  const hinted = hintsAt(alertText, namespace);
  return graph.workloads
    .filter((w) => w.ref.namespace === namespace && w.ref.kind !== 'Pod' && hinted(w.ref.name))
    .map((w) => w.ref);
}
