import type { EvidenceGraph } from '../evidence/graph.ts';
import { refOf } from '../evidence/graph.ts';
import type { EntityRef } from '../model.ts';
import { refKey } from '../model.ts';

export interface Reached {
  ref: EntityRef;
  /** From the symptom to this node, symptom first. */
  path: EntityRef[];
}

/**
 * Everything the symptom depends on: its own Services, the Services it calls, the workloads behind them, and so on,
 * breadth-first so that each node keeps its shortest path from the symptom.
 */
export function reachFrom(starts: EntityRef[], graph: EvidenceGraph): Map<string, Reached> {
  const reached = new Map<string, Reached>();
  const queue: Reached[] = [];
  const visit = (ref: EntityRef, path: EntityRef[]) => {
    const key = refKey(ref);
    if (reached.has(key)) return;
    const entry = { ref, path: [...path, ref] };
    reached.set(key, entry);
    queue.push(entry);
  };
  for (const start of starts) visit(start, []);
  while (queue.length > 0) {
    const { ref, path } = queue.shift() as Reached;
    if (ref.kind === 'Service') {
      const service = graph.service(ref.namespace ?? '', ref.name);
      if (service) for (const workload of graph.workloadsBehind(service)) visit(workload, path);
      continue;
    }
    for (const own of graph.servicesOf(ref)) {
      const key = refKey(refOf('Service', own.metadata));
      // A workload's own Service sits beside it, not below it: same path, no extra hop.
      if (!reached.has(key))
        reached.set(key, { ref: refOf('Service', own.metadata), path: [...path, refOf('Service', own.metadata)] });
    }
    for (const edge of graph.dependenciesOf(ref)) visit(edge.to, path);
  }
  return reached;
}
