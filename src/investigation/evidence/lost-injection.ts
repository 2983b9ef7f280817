import { controllerAmong, controllerOf } from './owner-references.ts';
import { hasRestarted, isPodReady } from './pod-state.ts';
import { podControllers } from './peer-namespaces.ts';
import type { ClusterSnapshot } from './snapshot.ts';
import { toMs } from './time.ts';

type Pod = ClusterSnapshot['pods'][number];

/**
 * Pods of one controller share one template, so they run the same containers — unless admission added some. When older
 * pods of the controller carry containers the template does not declare (an agent or its init step a mutating webhook
 * injected) and newer ones that fail carry none of them, admission stopped adding them between the two: the workload did
 * not change, what mutates its pods did (a webhook configuration whose selectors no longer match, or that was removed).
 */
export interface LostInjection {
  /** A failing pod made without the containers. */
  pod: Pod;
  /** The containers its older siblings carry beyond the template. */
  containers: string[];
  /** When the newest sibling that still carries them was made, and when the pod was: the change lies between. */
  since: number;
  until: number;
}

const containerNames = (pod: Pod): string[] =>
  [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])].map((c) => c.name);

/**
 * A StatefulSet's or DaemonSet's pods of different revisions come from different templates (the label says which):
 * a container only older ones carry may simply have been dropped from the template.
 */
const REVISION = 'controller-revision-hash';
const sameRevision = (a: Pod, b: Pod): boolean => a.metadata?.labels?.[REVISION] === b.metadata?.labels?.[REVISION];

/** Failing pods whose older siblings (same controller) carry containers admission added, which they lack. */
export function lostInjections(snapshot: ClusterSnapshot): LostInjection[] {
  const controllers = podControllers(snapshot);
  const lost: LostInjection[] = [];
  for (const pod of snapshot.pods) {
    if (isPodReady(pod) && !hasRestarted(pod)) continue;
    const owner = controllerOf(pod.metadata);
    const until = toMs(pod.metadata?.creationTimestamp);
    const template = controllerAmong(pod, controllers)?.spec?.template?.spec;
    if (!owner || until === undefined || !template) continue;
    const declared = new Set([...(template.initContainers ?? []), ...template.containers].map((c) => c.name));
    const own = new Set(containerNames(pod));
    const siblings = snapshot.pods.filter(
      (other) =>
        other !== pod &&
        other.metadata?.namespace === pod.metadata?.namespace &&
        controllerOf(other.metadata)?.name === owner.name &&
        sameRevision(other, pod) &&
        (toMs(other.metadata?.creationTimestamp) ?? until) < until,
    );
    const injected = siblings.map((sibling) => ({
      sibling,
      added: containerNames(sibling).filter((name) => !declared.has(name) && !own.has(name)),
    }));
    const carrying = injected.filter(({ added }) => added.length > 0);
    if (carrying.length === 0) continue;
    const since = Math.max(...carrying.map(({ sibling }) => toMs(sibling.metadata?.creationTimestamp) ?? 0));
    lost.push({ pod, containers: [...new Set(carrying.flatMap(({ added }) => added))], since, until });
  }
  return lost;
}
