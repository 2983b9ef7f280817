import { appContainers, podControllers } from './peer-namespaces.ts';
import type { LogTarget } from './log-targets.ts';
import { isPodReady } from './pod-state.ts';
import type { ClusterSnapshot } from './snapshot.ts';
import { toMs } from './time.ts';

type Pod = ClusterSnapshot['pods'][number];

const failed = (pod: Pod): boolean => pod.status?.phase === 'Failed' || !isPodReady(pod);

/** When the pod last started or ended (its containers' times), else when it was created. */
function lastActivity(pod: Pod): number {
  const times = (pod.status?.containerStatuses ?? []).flatMap((status) => [
    status.state?.running?.startedAt,
    status.state?.terminated?.finishedAt,
  ]);
  return Math.max(0, ...[...times, pod.metadata?.creationTimestamp].map((t) => toMs(t ? String(t) : undefined) ?? 0));
}

/** The container that ran last of those the pod's controller declares (a Job's step, not a sidecar beside it). */
function ranContainer(pod: Pod, controllers: ReturnType<typeof podControllers>): string | undefined {
  const declared = new Set(appContainers(pod, controllers).map((container) => container.name));
  const ran = (pod.status?.containerStatuses ?? []).filter(
    (status) => status.state?.running || status.state?.terminated || status.lastState?.terminated,
  );
  return (ran.find((status) => declared.has(status.name)) ?? ran[0])?.name;
}

/**
 * The work the alerted workload does in the namespaces it acts on (the Jobs it creates there, the pods it drives) that
 * failed: the newest failed or unready pod of each namespace, whose log says why its work fails — where the walk goes
 * next. At most `max`, skipping pods whose log was read.
 */
export function actedOnLogTargets(snapshot: ClusterSnapshot, namespaces: string[], max: number): LogTarget[] {
  const read = new Set(snapshot.logs.map((log) => `${log.namespace}/${log.pod}`));
  const controllers = podControllers(snapshot);
  const targets: LogTarget[] = [];
  for (const namespace of namespaces) {
    if (targets.length >= max) break;
    const pod = snapshot.pods
      .filter((candidate) => candidate.metadata?.namespace === namespace && failed(candidate))
      .filter((candidate) => !read.has(`${namespace}/${candidate.metadata?.name}`))
      .sort((a, b) => lastActivity(b) - lastActivity(a))[0];
    const container = pod && ranContainer(pod, controllers);
    if (!pod?.metadata?.name || !container) continue;
    targets.push({
      namespace,
      pod: pod.metadata.name,
      container,
      previous: false,
      why: `the alerted workload acts in ${namespace} (its configuration names it), where this pod of its work failed`,
    });
  }
  return targets;
}
