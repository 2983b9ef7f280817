import type { EntityRef } from '../model.ts';
import { refKey } from '../model.ts';
import {
  type Focus,
  namesNamespace,
  namespacesNamed,
  nameWordMatches,
  owningWorkload,
  proseWords,
  sharedWordNames,
} from '../focus.ts';
import { appContainers, type PodController, peerNamespaces, podControllers } from './peer-namespaces.ts';
import { recentRollouts } from './recent-rollouts.ts';
import { podReferences } from './references.ts';
import type { ClusterSnapshot } from './snapshot.ts';
import { matchesSelector } from './labels.ts';
import { HOUR, lastChange, snapshotNow, toMs } from './time.ts';
import { SUSPECT_CHANGE_WINDOW } from './onset.ts';
import { isPodReady } from './pod-state.ts';

type Pod = ClusterSnapshot['pods'][number];
type ContainerStatus = NonNullable<NonNullable<Pod['status']>['containerStatuses']>[number];

export interface LogTarget {
  namespace: string;
  pod: string;
  container: string;
  previous: boolean;
  why: string;
  /** The workload the alert speaks of (named, or picked out by its words): it must be heard, not just read. */
  alerted?: boolean;
}

/** Workloads a word of the alert names together, read when nothing else is: more, and the word names no one. */
const MAX_SHARED = 3;

/** Endings whose last log lines say nothing a status does not. */
const LOG_SILENT_ENDINGS = new Set(['OOMKilled', 'Unknown']);

const started = (status: ContainerStatus): boolean =>
  Boolean(status.state?.running || status.state?.terminated || status.lastState?.terminated);

const statusesOf = (pod: Pod): ContainerStatus[] => [
  ...(pod.status?.initContainerStatuses ?? []),
  ...(pod.status?.containerStatuses ?? []),
];

/**
 * The container whose log speaks for the pod: the one the alert names, else the one that alone runs unready beside
 * ready ones, else the one that alone failed (exited non-zero), else the first that ran of those its controller declares (a proxy injected at admission, often listed
 * first, speaks for the mesh, not the application), else the first that ran, else (the pod is still initialising) the
 * init container that ran last, which is usually the one waiting on something.
 */
function mainContainer(pod: Pod, preferred: string | undefined, controllers: PodController[]): string | undefined {
  const statuses = pod.status?.containerStatuses ?? [];
  if (preferred && statuses.some((status) => status.name === preferred && started(status))) return preferred;
  const declared = new Set(appContainers(pod, controllers).map((container) => container.name));
  // One container runs unready beside others that are ready (a sidecar whose own dependency fails): the pod is
  // unready for that one's reason, and its log says which.
  const unready = statuses.filter((status) => started(status) && !status.ready);
  const onlyUnready = unready.length === 1 && statuses.some((status) => status.ready) ? unready[0] : undefined;
  if (onlyUnready) return onlyUnready.name;
  // A run-once pod whose one container failed beside others that completed (a workflow step's `main` beside its
  // `wait`): the pod failed for that one's reason.
  const failed = statuses.filter((status) => (status.state?.terminated?.exitCode ?? 0) !== 0);
  if (failed.length === 1 && statuses.length > 1) return failed[0]?.name;
  return (
    statuses.find((status) => started(status) && declared.has(status.name))?.name ??
    statuses.find(started)?.name ??
    (pod.status?.initContainerStatuses ?? []).filter(started).at(-1)?.name
  );
}

/**
 * When the pod last changed state (a container started or ended), else when it was created. Among pods in the same
 * trouble, the most recent is the likeliest to be the symptom's: list order is name order, which says nothing.
 */
function lastActivity(pod: Pod): number {
  const times = statusesOf(pod).flatMap((status) => [
    status.state?.running?.startedAt,
    status.state?.terminated?.finishedAt,
    status.lastState?.terminated?.finishedAt,
  ]);
  return Math.max(
    0,
    ...[...times, pod.metadata?.creationTimestamp].map((time) => toMs(time ? String(time) : undefined) ?? 0),
  );
}

const newestFirst = (a: Pod, b: Pod): number => lastActivity(b) - lastActivity(a);

/**
 * Containers that restarted after ending in a way their last lines may explain, most restarted (then newest) first;
 * not those whose restart is history by the `onset` (restartIsHistory).
 */
function restartedContainers(pods: Pod[], onset: number): { pod: Pod; status: ContainerStatus }[] {
  return (
    pods
      .flatMap((pod) => statusesOf(pod).map((status) => ({ pod, status })))
      .filter(({ status }) => (status.restartCount ?? 0) > 0 && status.lastState?.terminated)
      // An OOM kill is explained by the status itself; its last log lines rarely add anything. A container the runtime
      // lost (reason Unknown: its node rebooted or its sandbox was recreated) did not fail on its own: its last lines
      // say nothing of why, while its current log says what it does now.
      .filter(({ status }) => !LOG_SILENT_ENDINGS.has(status.lastState?.terminated?.reason ?? ''))
      .filter(({ status }) => !restartIsHistory(status, onset))
      .sort((a, b) => (b.status.restartCount ?? 0) - (a.status.restartCount ?? 0) || newestFirst(a.pod, b.pod))
  );
}

/**
 * A restart that is history, not the incident: the instance ended long before the onset (more than the suspect window)
 * and its successor has run ready since before the onset. Its last lines tell why it died then, not what fails now,
 * and the log budget is a few reads: the slot goes to a log that can speak of this incident.
 */
function restartIsHistory(status: ContainerStatus, onset: number): boolean {
  const ended = toMs(
    status.lastState?.terminated?.finishedAt ? String(status.lastState.terminated.finishedAt) : undefined,
  );
  const running = status.state?.running?.startedAt;
  const since = toMs(running ? String(running) : undefined);
  if (ended === undefined || since === undefined || !status.ready) return false;
  return ended < onset - SUSPECT_CHANGE_WINDOW && since <= onset;
}

/** The Ready condition alone: a finished (Succeeded) pod is not ready here, where isPodReady counts it ready. */
const hasReadyCondition = (pod: Pod): boolean =>
  (pod.status?.conditions ?? []).some((condition) => condition.type === 'Ready' && condition.status === 'True');

/** Services the pod's configuration names (env values such as `host:port`, URLs, DNS names). */
function peersOf(pod: Pod, serviceNames: Set<string>): string[] {
  const peers = new Set<string>();
  for (const container of pod.spec?.containers ?? []) {
    for (const env of container.env ?? []) {
      for (const token of (env.value ?? '').toLowerCase().split(/[^a-z0-9.-]+/)) {
        // `svc`, `svc.ns…`, and a StatefulSet member's `pod.svc.ns.svc…`, whose Service is the second label.
        const labels = token.split('.');
        const host = (labels[3] === 'svc' ? labels[1] : labels[0]) ?? '';
        if (serviceNames.has(host)) peers.add(host);
      }
    }
  }
  return [...peers];
}

type ReplicaSet = ClusterSnapshot['replicaSets'][number];

/**
 * Pods of a workload caught between two revisions (a rollout under way, a canary beside the stable pods), those of
 * the newest ReplicaSet first: a revision that just began serving is the likeliest to log what changed. Pods of one
 * revision keep their order.
 */
export function newestRevisionFirst(pods: Pod[], replicaSets: readonly ReplicaSet[]): Pod[] {
  const created = new Map(
    replicaSets.map((rs) => [`${rs.metadata?.namespace}/${rs.metadata?.name}`, toMs(rs.metadata?.creationTimestamp)]),
  );
  const revisionAge = (pod: Pod): number => {
    const owner = pod.metadata?.ownerReferences?.find((o) => o.kind === 'ReplicaSet');
    return (owner && created.get(`${pod.metadata?.namespace}/${owner.name}`)) ?? 0;
  };
  return [...pods].sort((a, b) => revisionAge(b) - revisionAge(a));
}

const selects = (selector: Record<string, string> | undefined, labels: Record<string, string> | undefined): boolean =>
  Boolean(selector && Object.keys(selector).length > 0) &&
  Object.entries(selector ?? {}).every(([key, value]) => labels?.[key] === value);

/**
 * Which container logs to read, at most `max`, most telling first: the previous instance of containers that keep
 * restarting (why they died), the alerted workload, services whose calls fail (their logs name the failing peer), the
 * alerted workload's dependencies, pods not ready, and callers of many services. One pod per workload.
 */
export function chooseLogTargets(
  snapshot: ClusterSnapshot,
  focus: Focus,
  errorRatios: Map<string, number>,
  max: number,
  preferredContainer?: string,
  /** How many of the `max` the request budget itself pays for (the rest is the floor every incident reads). */
  budgeted = max,
  /** Workloads, pods or Services whose own error counters are above zero (metric-queries.ts erringNames). */
  erring: readonly string[] = [],
): LogTarget[] {
  const namespace = focus.namespace;
  const controllers = podControllers(snapshot);
  const pods = snapshot.pods.filter((pod) => pod.metadata?.namespace === namespace);
  const services = snapshot.services.filter((service) => service.metadata?.namespace === namespace);
  const serviceNames = new Set(services.map((service) => service.metadata?.name ?? ''));
  const workloadOf = (pod: Pod): EntityRef =>
    owningWorkload(pod.metadata?.name ?? '', namespace, snapshot) ?? {
      kind: 'Pod',
      namespace,
      name: pod.metadata?.name ?? '',
    };
  const podsOfWorkload = byWorkload(pods, workloadOf);
  const podsOfService = (name: string): Pod[] => {
    const service = services.find((candidate) => candidate.metadata?.name === name);
    return pods.filter((pod) => selects(service?.spec?.selector, pod.metadata?.labels));
  };

  const targets: LogTarget[] = [];
  const seenWorkloads = new Set<string>();
  const seenTargets = new Set<string>();
  const add = (pod: Pod, container: string | undefined, previous: boolean, why: string, alerted = false): void => {
    const name = pod.metadata?.name;
    if (!name || !container || targets.length >= max) return;
    const key = `${name}/${container}/${previous}`;
    if (seenTargets.has(key)) return;
    seenTargets.add(key);
    targets.push({ namespace, pod: name, container, previous, why, ...(alerted ? { alerted } : {}) });
  };
  // The current log of one pod per workload: the least healthy one, else one of its newest revision.
  const addWorkload = (candidates: Pod[], why: string, alerted = false): void => {
    const withLogs = newestRevisionFirst(
      candidates.filter((pod) => mainContainer(pod, preferredContainer, controllers)),
      snapshot.replicaSets,
    );
    const pod = withLogs.find((candidate) => !hasReadyCondition(candidate)) ?? withLogs[0];
    if (!pod) return;
    const key = refKey(workloadOf(pod));
    if (seenWorkloads.has(key)) return;
    seenWorkloads.add(key);
    add(pod, mainContainer(pod, preferredContainer, controllers), false, why, alerted);
  };

  const addShared = (group: Pod[]) => addWorkload(group, 'a word of the alert names it among others', true);
  const restartedWorkloads = new Set<string>();
  for (const { pod, status } of restartedContainers(pods, toMs(focus.startedAt) ?? snapshotNow(snapshot))) {
    const key = refKey(workloadOf(pod));
    if (restartedWorkloads.has(key)) continue;
    restartedWorkloads.add(key);
    add(pod, status.name, true, `${status.name} restarted ${status.restartCount} times`);
  }

  const symptom = focus.symptom;
  let symptomPods: Pod[] = [];
  if (symptom?.kind === 'Service') symptomPods = podsOfService(symptom.name);
  else if (symptom?.kind === 'Pod') symptomPods = pods.filter((pod) => pod.metadata?.name === symptom.name);
  else if (symptom) symptomPods = podsOfWorkload.get(refKey(symptom)) ?? [];
  addWorkload(symptomPods, 'the alerted workload', true);
  // No symptom found by name: the workloads the alert's words pick out (`refunds` → refund-worker) are what it speaks of,
  // the likeliest to log why — read before pods that merely look unwell, their dependencies followed like the symptom's.
  const hinted = symptom ? [] : wordPickedWorkloads(focus.alertText, podsOfWorkload, namespace);
  for (const group of hinted) addWorkload(group, "the alert's words name its workload", true);
  const namedPeerClients = symptom ? [] : clientsOfNamedPeers(focus.alertText, podsOfWorkload, namespace, controllers);
  for (const { group, peer } of namedPeerClients) addWorkload(group, `calls ${peer}, which the alert names`, true);
  const spokenOf = symptom ? symptomPods : hinted.flat();

  const failing = [...errorRatios].filter(([, ratio]) => ratio > 0).sort((a, b) => b[1] - a[1]);
  for (const [service] of failing) addWorkload(podsOfService(service), `${service} answers with errors`);
  // An application's own counters of failures (a producer's record errors, a worker's failed jobs) name the workload
  // that fails where the call counters see nothing: the alerted one may only serve what that one no longer produces.
  for (const name of erring)
    addWorkload(podsNamed(name, podsOfService, podsOfWorkload, pods), `${name} counts errors of its own`);

  const dependencies = [...dependencyServices(spokenOf, podsOfService, serviceNames)];
  const healthy = (service: string) => podsOfService(service).every(hasReadyCondition);
  for (const service of dependencies.filter((s) => !healthy(s))) {
    addWorkload(podsOfService(service), `${service} is a dependency of the alerted workload`);
  }
  // A workload none of whose running pods is ready is down, wherever it stands (a symptom picked by a loose word may
  // not lead to it): its words say why, before those of dependencies that run ready and show no sign of trouble.
  // A pod whose containers all exited 0 (a finished Job's) is done, not unready: its log tells of no trouble.
  const unready = pods.filter((candidate) => !isPodReady(candidate));
  const runningOf = (pod: Pod) =>
    (podsOfWorkload.get(refKey(workloadOf(pod))) ?? [pod]).filter((p) => p.status?.phase === 'Running');
  for (const pod of unready.sort(newestFirst)) {
    const running = runningOf(pod);
    if (running.length > 0 && !running.some(isPodReady)) addWorkload(running, 'none of its pods is ready');
  }
  for (const service of dependencies.filter(healthy)) {
    addWorkload(podsOfService(service), `${service} is a dependency of the alerted workload`);
  }

  for (const pod of unready) addWorkload([pod], 'not ready');

  // A NetworkPolicy changed shortly before, or a ConfigMap switched just before the onset (read live), has no status:
  // only the words of the pods it selects or that read it tell. Read before a rollout's, whose pods show their health.
  const actedOn = selectedByRecentPolicies(snapshot, namespace, pods);
  actedOn.push(...readersOfRecentConfig(snapshot, namespace, pods, focus.startedAt));
  for (const { selected, why } of actedOn) addWorkload(selected, why);

  // A workload rolled out shortly before (a new image, a restart to re-read a rotated Secret) is a suspect whose own
  // words say whether the change broke it, though it runs ready and calls nothing the alert names.
  // Within the budget only (no sign of trouble), unless nothing else showed one: then the floor is the rollout's.
  const rolloutRoom = targets.length === 0 ? max : budgeted;
  for (const rs of recentRollouts(snapshot, namespace)) {
    if (targets.length >= rolloutRoom) break;
    const owned = pods.filter((pod) => pod.metadata?.ownerReferences?.some((o) => o.name === rs.metadata?.name));
    addWorkload(owned, `rolled out at ${rs.metadata?.creationTimestamp}`);
  }
  if (targets.length === 0 && !symptom) sharedWordWorkloads(focus.alertText, podsOfWorkload).forEach(addShared);

  const callers = [...podsOfWorkload.values()]
    .map((group) => ({ group, peers: group[0] ? peersOf(group[0], serviceNames).length : 0 }))
    .filter(({ peers }) => peers > 0)
    .sort((a, b) => b.peers - a.peers);
  for (const { group } of callers) addWorkload(group, 'calls other services');
  return targets;
}

/**
 * The workloads whose configuration calls into a namespace the alert's words name (`search index updates failing` and
 * a `search` namespace): the dependency there is what the alert speaks of, and its clients here are who meet its
 * errors, the busiest (most replicas) first.
 */
function clientsOfNamedPeers(
  alertText: string,
  podsOfWorkload: Map<string, Pod[]>,
  namespace: string,
  controllers: PodController[],
): { group: Pod[]; peer: string }[] {
  const all = [...podsOfWorkload.values()].flat();
  const named = namespacesNamed(alertText, peerNamespaces(all, namespace, controllers));
  if (named.length === 0) return [];
  return [...podsOfWorkload.values()]
    .map((group) => ({ group, peer: peerNamespaces(group, namespace, controllers).find((p) => named.includes(p)) }))
    .filter((client): client is { group: Pod[]; peer: string } => client.peer !== undefined)
    .sort((a, b) => b.group.length - a.group.length);
}

/** The pods of each workload, by the workload's key. */
function byWorkload(pods: Pod[], workloadOf: (pod: Pod) => EntityRef): Map<string, Pod[]> {
  const grouped = new Map<string, Pod[]>();
  for (const pod of pods) {
    const key = refKey(workloadOf(pod));
    grouped.set(key, [...(grouped.get(key) ?? []), pod]);
  }
  return grouped;
}

/** The Services the pods call, and those their pods call in turn, nearest first (at most 20). */
function dependencyServices(
  spokenOf: Pod[],
  podsOfService: (name: string) => Pod[],
  serviceNames: Set<string>,
): string[] {
  const dependencies: string[] = [];
  const queue = spokenOf.flatMap((pod) => peersOf(pod, serviceNames));
  while (queue.length > 0 && dependencies.length < 20) {
    const service = queue.shift() as string;
    if (dependencies.includes(service)) continue;
    dependencies.push(service);
    for (const pod of podsOfService(service)) queue.push(...peersOf(pod, serviceNames));
  }
  return dependencies;
}

/** The pods a name stands for: a Service's, else a workload's, else the pod of that name. */
function podsNamed(
  name: string,
  podsOfService: (name: string) => Pod[],
  podsOfWorkload: Map<string, Pod[]>,
  pods: Pod[],
): Pod[] {
  const byService = podsOfService(name);
  if (byService.length > 0) return byService;
  const workload = [...podsOfWorkload].find(([key]) => key.split('/').at(-1) === name)?.[1];
  return workload ?? pods.filter((pod) => pod.metadata?.name === name);
}

/**
 * The pods of each workload whose name the alert's words pick out (focus.ts nameWordMatches), the most spoken of first:
 * the one whose words the text repeats is what the reporter keeps coming back to. The namespace's own name (`wms` of
 * namespace wms, in a runbook's path or a metric's name) names the application the namespace holds, not the one of its
 * components that happens to carry it too — unless no other word of the alert picks a component.
 */
function wordPickedWorkloads(alertText: string, podsOfWorkload: Map<string, Pod[]>, namespace: string): Pod[][] {
  const nameOf = (key: string) => key.split('/').at(-1) ?? '';
  const names = [...podsOfWorkload.keys()].map(nameOf);
  const ofNamespace = new Set(proseWords(alertText).filter((word) => namesNamespace(word, namespace)));
  const byOwnWords = nameWordMatches(alertText, names, ofNamespace);
  // When nothing else in the alert picks a component, the namespace's name is still the only hint it gives.
  const picked = byOwnWords.size > 0 ? byOwnWords : nameWordMatches(alertText, names);
  const spoken = proseWords(alertText);
  const mentions = (key: string) =>
    (picked.get(nameOf(key)) ?? []).reduce((sum, word) => sum + spoken.filter((w) => w === word).length, 0);
  return [...podsOfWorkload]
    .filter(([key]) => picked.has(nameOf(key)))
    .sort(([a], [b]) => mentions(b) - mentions(a))
    .map(([, pods]) => pods);
}

// The cluster's CA bundle, which the control plane publishes into every namespace and every pod mounts.
const CLUSTER_CA_BUNDLE = 'kube-root-ca.crt';

/** How long before the onset a configuration change is read as its likely trigger. */
const CONFIG_ONSET_WINDOW = HOUR;

/**
 * The pods that read each ConfigMap of the namespace changed from an hour before the onset (the snapshot's time when
 * unknown) on, newest change first.
 */
function readersOfRecentConfig(
  snapshot: ClusterSnapshot,
  namespace: string,
  pods: Pod[],
  startedAt: string | undefined,
): { selected: Pod[]; why: string }[] {
  const onset = toMs(startedAt) ?? snapshotNow(snapshot);
  const changedMs = (configMap: ClusterSnapshot['configMaps'][number]) => toMs(lastChange(configMap.metadata)) ?? 0;
  return snapshot.configMaps
    .filter(
      (configMap) =>
        configMap.metadata?.namespace === namespace &&
        configMap.metadata?.name !== CLUSTER_CA_BUNDLE &&
        changedMs(configMap) >= onset - CONFIG_ONSET_WINDOW,
    )
    .sort((a, b) => changedMs(b) - changedMs(a))
    .map((configMap) => ({
      selected: pods.filter((pod) => podReferences([pod]).configMaps.has(configMap.metadata?.name ?? '')),
      why: `reads ConfigMap ${configMap.metadata?.name}, changed at ${lastChange(configMap.metadata)}`,
    }));
}

/**
 * The pods of each workload a word of the alert names together with one or two others (`forecast` of forecast-api and
 * forecast-worker: focus.ts sharedWordNames). Read when nothing else is (no symptom named, nothing failing or changed):
 * the word names none of them alone, but one of them is what the alert speaks of, and may log why.
 */
function sharedWordWorkloads(alertText: string, podsOfWorkload: Map<string, Pod[]>): Pod[][] {
  const nameOf = (key: string) => key.split('/').at(-1) ?? '';
  const shared = new Set(sharedWordNames(alertText, [...podsOfWorkload.keys()].map(nameOf), MAX_SHARED));
  return [...podsOfWorkload].filter(([key]) => shared.has(nameOf(key))).map(([, pods]) => pods);
}

/** The pods each NetworkPolicy of the namespace changed within the suspect window selects, newest change first. */
function selectedByRecentPolicies(
  snapshot: ClusterSnapshot,
  namespace: string,
  pods: Pod[],
): { selected: Pod[]; why: string }[] {
  const now = snapshotNow(snapshot);
  const changedMs = (policy: ClusterSnapshot['networkPolicies'][number]) => toMs(lastChange(policy.metadata)) ?? 0;
  return snapshot.networkPolicies
    .filter((policy) => policy.metadata?.namespace === namespace && now - changedMs(policy) <= SUSPECT_CHANGE_WINDOW)
    .sort((a, b) => changedMs(b) - changedMs(a))
    .map((policy) => ({
      selected: pods.filter((pod) => matchesSelector(pod.metadata?.labels, policy.spec?.podSelector)),
      why: `selected by NetworkPolicy ${policy.metadata?.name}, changed at ${lastChange(policy.metadata)}`,
    }));
}
