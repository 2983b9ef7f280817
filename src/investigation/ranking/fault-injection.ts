import type { EvidenceGraph } from '../evidence/graph.ts';
import type { ClusterSnapshot } from '../evidence/snapshot.ts';
import type { EntityRef } from '../model.ts';

const CHAOS_NAME = /chaos|litmus|gremlin|toxiproxy|pumba/i;
const CHAOS_LABEL = /chaos-mesh\.org|litmuschaos\.io|chaos/i;

/**
 * Objects of chaos-engineering tools (their namespaces, controllers, custom resources): they inject the fault but are
 * never the entity to repair, and their own pods misbehave on purpose.
 */
export function isFaultInjection(
  ref: EntityRef,
  snapshot: ClusterSnapshot,
  graph: EvidenceGraph,
  focusNamespace: string,
): boolean {
  if (CHAOS_NAME.test(ref.kind)) return true;
  // The tools live in namespaces of their own; an application that merely sits in a "chaos-…" namespace is still the app.
  if (ref.namespace && ref.namespace !== focusNamespace && CHAOS_NAME.test(ref.namespace)) return true;
  const namespace = snapshot.namespaces.find((n) => n.metadata?.name === ref.namespace);
  if (namespace && ref.namespace !== focusNamespace && hasChaosMarks(namespace.metadata)) return true;
  const workload = graph.workload(ref);
  if (workload && (hasChaosMarks(workload.metadata) || hasChaosMarks(workload.template?.metadata))) return true;
  return false;
}

function hasChaosMarks(
  metadata: { labels?: Record<string, string>; annotations?: Record<string, string> } | undefined,
): boolean {
  const marks = { ...(metadata?.labels ?? {}), ...(metadata?.annotations ?? {}) };
  return Object.entries(marks).some(
    ([key, value]) =>
      CHAOS_LABEL.test(key) || (/part-of|managed-by|app\.kubernetes\.io\/name/.test(key) && CHAOS_NAME.test(value)),
  );
}
