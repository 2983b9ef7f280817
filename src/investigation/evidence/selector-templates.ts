import { matchesMap } from './labels.ts';
import { selectsNoPod } from './operator-addressed.ts';
import type { ClusterSnapshot } from './snapshot.ts';

/**
 * The Services of a namespace that select no pod read and whose selector no Deployment's or StatefulSet's template
 * carries: before their selector is judged broken, a DaemonSet's template may carry it (the first reads list no
 * DaemonSets, and a DaemonSet's pods may simply not have been listed).
 */
export function servicesSelectingNoTemplate(snapshot: ClusterSnapshot, namespace: string): string[] {
  const templates = [...snapshot.deployments, ...snapshot.statefulSets]
    .filter((workload) => workload.metadata?.namespace === namespace)
    .map((workload) => workload.spec?.template?.metadata?.labels);
  return snapshot.services
    .filter((service) => service.metadata?.namespace === namespace && selectsNoPod(snapshot, service, namespace))
    .filter((service) => !templates.some((labels) => matchesMap(labels, service.spec?.selector)))
    .map((service) => service.metadata?.name ?? '');
}
