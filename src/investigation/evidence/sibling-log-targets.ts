import { type Focus, owningWorkload, sharedWordNames } from '../focus.ts';
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
  const warned = new Set(
    snapshot.events
      .filter((event) => event.type === 'Warning' && event.involvedObject?.kind === 'Pod')
      .map((event) => `${event.involvedObject.namespace ?? event.metadata?.namespace}/${event.involvedObject.name}`),
  );
  const silent = snapshot.logs.filter((log) => log.lines.length === 0 && log.alerted && !log.previous);
  for (const log of silent) {
    if (targets.length >= max) break;
    const speaker = podByName.get(`${log.namespace}/${log.pod}`);
    const key = speaker && ownerKey(speaker);
    if (!key || heard.has(key)) continue;
    heard.add(key);
    const siblings = snapshot.pods.filter(
      (pod) =>
        ownerKey(pod) === key &&
        !read.has(`${log.namespace}/${pod.metadata?.name}`) &&
        running(pod, log.container) &&
        appContainers(pod, controllers).some((container) => container.name === log.container),
    );
    // A replica the kubelet's or a controller's warnings speak of (its probe failing) has shown trouble: heard first.
    const sibling = siblings.find((pod) => warned.has(`${log.namespace}/${pod.metadata?.name}`)) ?? siblings[0];
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

/** Workloads a word of the alert names together, heard when the one picked among them says nothing. */
const MAX_SHARED = 3;

/**
 * The alerted workload shares the alert's word with other workloads of its namespace (`quote` of quote-api and
 * quote-builder: one was picked, the word named none alone), and every log read of the workloads the alert speaks of
 * came back without an error line: the others the word names are what the alert may speak of instead (a batch run that
 * failed, not the API serving cached answers) — one running pod each, at most `max`, none whose log was read.
 */
export function sharedWordLogTargets(snapshot: ClusterSnapshot, focus: Focus, max: number): LogTarget[] {
  const alerted = snapshot.logs.filter((log) => log.alerted && !log.previous);
  if (max <= 0 || alerted.length === 0 || alerted.some((log) => log.lines.length > 0)) return [];
  const { namespace } = focus;
  const byWorkload = new Map<string, Pod[]>();
  for (const pod of snapshot.pods.filter((p) => p.metadata?.namespace === namespace && p.status?.phase === 'Running')) {
    const name = owningWorkload(pod.metadata?.name ?? '', namespace, snapshot)?.name ?? pod.metadata?.name ?? '';
    byWorkload.set(name, [...(byWorkload.get(name) ?? []), pod]);
  }
  const read = new Set(snapshot.logs.map((log) => `${log.namespace}/${log.pod}`));
  const heard = (pods: Pod[]) => pods.some((pod) => read.has(`${namespace}/${pod.metadata?.name}`));
  const shared = sharedWordNames(focus.alertText, byWorkload.keys(), MAX_SHARED);
  if (!shared.some((name) => heard(byWorkload.get(name) ?? []))) return [];
  const controllers = podControllers(snapshot);
  const targets: LogTarget[] = [];
  for (const name of shared) {
    const pods = byWorkload.get(name) ?? [];
    const pod = pods[0];
    const container = pod && appContainers(pod, controllers)[0]?.name;
    if (targets.length >= max || !pod || !container || heard(pods)) continue;
    targets.push({
      namespace,
      pod: pod.metadata?.name ?? '',
      container,
      previous: false,
      why: `${name} shares the alert's word with the workload it speaks of, whose logs say nothing`,
      alerted: true,
    });
  }
  return targets;
}
