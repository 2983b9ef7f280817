import { appContainers, podControllers } from './peer-namespaces.ts';
import type { LogTarget } from './log-targets.ts';
import type { ClusterSnapshot } from './snapshot.ts';

type Pod = ClusterSnapshot['pods'][number];

/** The controller a pod belongs to (its first owner), by namespace and name: replicas of one workload share it. */
const ownerKey = (pod: Pod): string | undefined => {
  const owner = pod.metadata?.ownerReferences?.find((o) => o.controller) ?? pod.metadata?.ownerReferences?.[0];
  return owner ? `${pod.metadata?.namespace}/${owner.kind}/${owner.name}` : undefined;
};

const running = (pod: Pod, container: string): boolean =>
  (pod.status?.containerStatuses ?? []).some((status) => status.name === container && status.state?.running);

/**
 * The current logs of the workload the alert speaks of that came back empty or without an error line (the container
 * wrote nothing: a replica the load balancer rarely sends to, a standby that lost the leader election, a pod restarted
 * a minute ago) say nothing either way about it: a sibling replica of the same controller, running the same container,
 * speaks for it instead. One per silent log, at most `max`, skipping pods whose log was read. (A dependency's silent log
 * is an answer of its own: a silent client, peer-log-targets.ts.)
 */
export function siblingLogTargets(snapshot: ClusterSnapshot, max: number): LogTarget[] {
  const read = new Set(snapshot.logs.map((log) => `${log.namespace}/${log.pod}`));
  const podByName = new Map(snapshot.pods.map((pod) => [`${pod.metadata?.namespace}/${pod.metadata?.name}`, pod]));
  // A workload one of whose replicas' logs said something was heard already; one whose sibling was read as well (silent
  // too) has had its chance: a third replica is not read.
  const readOf = new Map<string | undefined, number>();
  for (const log of snapshot.logs) {
    const pod = podByName.get(`${log.namespace}/${log.pod}`);
    const key = pod && ownerKey(pod);
    readOf.set(key, (readOf.get(key) ?? 0) + (log.lines.length === 0 ? 1 : 2));
  }
  const heard = new Set([...readOf].filter(([, weight]) => weight >= 2).map(([key]) => key));
  const controllers = podControllers(snapshot);
  const targets: LogTarget[] = [];
  const silent = snapshot.logs.filter((log) => log.lines.length === 0 && log.alerted && !log.previous);
  for (const log of silent) {
    if (targets.length >= max) break;
    const speaker = podByName.get(`${log.namespace}/${log.pod}`);
    const key = speaker && ownerKey(speaker);
    if (!key || heard.has(key)) continue;
    heard.add(key);
    const sibling = snapshot.pods.find(
      (pod) =>
        ownerKey(pod) === key &&
        !read.has(`${log.namespace}/${pod.metadata?.name}`) &&
        running(pod, log.container) &&
        appContainers(pod, controllers).some((container) => container.name === log.container),
    );
    const name = sibling?.metadata?.name;
    if (!name) continue;
    read.add(`${log.namespace}/${name}`);
    targets.push({
      namespace: log.namespace,
      pod: name,
      container: log.container,
      previous: false,
      why: `the log of ${log.pod}, a replica of the same workload, is empty: this one speaks for it`,
    });
  }
  return targets;
}
