import type { EntityRef } from '../model.ts';
import { eventNamespace, firstSeen } from './events.ts';
import { graphOf } from './graph.ts';
import type { ClusterSnapshot } from './snapshot.ts';
import { toMs } from './time.ts';

/**
 * Since when none of a workload's pods has been ready (ms), as two records agree: the latest time one of them turned
 * unready (its Ready condition's transition, else its creation) and the first Warning event recorded about them. A
 * crash loop flips Ready at each restart while its back-off warning keeps its first time, so the later of the two is
 * the one to trust. Undefined when a pod is ready, no pod was read, no warning about them was, or a time is missing.
 */
export function unreadySince(workload: EntityRef, snapshot: ClusterSnapshot): number | undefined {
  const pods = graphOf(snapshot).podsOf(workload);
  if (pods.length === 0) return undefined;
  let turned = Number.NEGATIVE_INFINITY;
  for (const pod of pods) {
    const ready = pod.status?.conditions?.find((condition) => condition.type === 'Ready');
    if (!ready || ready.status === 'True') return undefined;
    const at = toMs(ready.lastTransitionTime ?? pod.metadata?.creationTimestamp);
    if (at === undefined) return undefined;
    turned = Math.max(turned, at);
  }
  const names = new Set(pods.map((pod) => pod.metadata?.name));
  const warned = toMs(
    firstSeen(
      snapshot.events.filter(
        (event) =>
          event.type === 'Warning' &&
          event.involvedObject?.kind === 'Pod' &&
          names.has(event.involvedObject.name) &&
          eventNamespace(event) === workload.namespace,
      ),
    ),
  );
  return warned === undefined ? undefined : Math.max(turned, warned);
}
