import type { ClusterSnapshot } from './snapshot.ts';
import type { Pod } from './workloads.ts';

type Node = ClusterSnapshot['nodes'][number];

type Requirement = { key: string; operator: string; values?: string[] };

/** Whether the node's labels satisfy the pod's nodeSelector and (one term of) its required node affinity. */
export function mayRunOn(pod: Pod, node: Node): boolean {
  const labels = node.metadata?.labels ?? {};
  const selector = pod.spec?.nodeSelector ?? {};
  if (Object.entries(selector).some(([key, value]) => labels[key] !== value)) return false;
  const terms =
    pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? [];
  return (
    terms.length === 0 ||
    terms.some((term) => (term.matchExpressions ?? []).every((r) => satisfies(labels, r as Requirement)))
  );
}

function satisfies(labels: Record<string, string>, requirement: Requirement): boolean {
  const value = labels[requirement.key];
  switch (requirement.operator) {
    case 'In':
      return value !== undefined && (requirement.values ?? []).includes(value);
    case 'NotIn':
      return value === undefined || !(requirement.values ?? []).includes(value);
    case 'Exists':
      return value !== undefined;
    case 'DoesNotExist':
      return value === undefined;
    default:
      // Gt/Lt compare numbers the labels rarely hold: not a reason to rule the node out.
      return true;
  }
}
