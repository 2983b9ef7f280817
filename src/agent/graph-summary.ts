import { graphOf, type EdgeKind } from '../investigation/evidence/graph.ts';
import type { ClusterSnapshot } from '../investigation/evidence/snapshot.ts';
import { type EntityRef, refKey } from '../investigation/model.ts';

/** Most telling first; ownership is left out (the workload names already say it). */
const ORDER: EdgeKind[] = ['depends-on', 'uses', 'selects', 'scales', 'constrains', 'runs-on'];
const MAX_LINES = 80;

/**
 * The engine's evidence graph as a few lines the model can read: one per relation, pods folded into the workload
 * that owns them so a Deployment with fifty replicas is one line, not fifty. Names and kinds only, no values.
 */
export function summariseGraph(snapshot: ClusterSnapshot): string[] {
  const graph = graphOf(snapshot);
  const fold = (ref: EntityRef): EntityRef => {
    if (ref.kind !== 'Pod' || !ref.namespace) return ref;
    const pod = graph.pod(ref.namespace, ref.name);
    return pod ? graph.workloadOf(pod) : ref;
  };
  const lines = new Map<string, number>();
  for (const edge of graph.edges) {
    const rank = ORDER.indexOf(edge.kind);
    if (rank < 0) continue;
    lines.set(`${refKey(fold(edge.from))} ${edge.kind} ${refKey(fold(edge.to))}`, rank);
  }
  const sorted = [...lines].sort(([a, rankA], [b, rankB]) => rankA - rankB || a.localeCompare(b)).map(([line]) => line);
  return sorted.length > MAX_LINES
    ? [...sorted.slice(0, MAX_LINES), `(${sorted.length - MAX_LINES} more relations left out)`]
    : sorted;
}
