import type { Reference } from './graph.ts';
import type { ClusterSnapshot } from './snapshot.ts';
import { toMs } from './time.ts';

type Pod = ClusterSnapshot['pods'][number];

/**
 * Whether a change of a ConfigMap or Secret can have reached the pods that read it. Env (`valueFrom`, `envFrom`) is
 * resolved once, when a container starts: a value changed afterwards reaches no container that has run since before
 * the change — only a restart or a new pod picks it up. A mounted volume is refreshed in place by the kubelet, and a
 * program that reads the object through the API sees it at once: those reach running pods.
 */
export function changeReaches(pods: Pod[], references: Reference[], changedAt: number): boolean {
  if (pods.length === 0 || references.length === 0) return true;
  if (references.some((r) => r.via !== 'env' && r.via !== 'envFrom')) return true;
  return pods.some((pod) =>
    (pod.status?.containerStatuses ?? [undefined]).some((status) => {
      // A container starts after its pod: the later of the two, should a status carry an older time.
      const times = [status?.state?.running?.startedAt, pod.status?.startTime, pod.metadata?.creationTimestamp]
        .map(toMs)
        .filter((t): t is number => t !== undefined);
      return times.length === 0 || Math.max(...times) >= changedAt;
    }),
  );
}
