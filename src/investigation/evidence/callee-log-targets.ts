import { hostNamesIn, serviceNameOf } from './hosts.ts';
import { matchesMap } from './labels.ts';
import { appContainers, configuredSettings, type PodController, podControllers } from './peer-namespaces.ts';
import { standsAlone } from './slow-callee.ts';
import { answersClientError, looksLikeError, parseLogLine } from './log-line.ts';
import type { LogTarget } from './log-targets.ts';
import { isPodReady } from './pod-state.ts';
import type { ClusterSnapshot } from './snapshot.ts';

type Pod = ClusterSnapshot['pods'][number];
type Service = ClusterSnapshot['services'][number];

/**
 * The callees the error lines read name in their own namespace (`<service> returned 502`, `<service>:8080: connection
 * refused`), whose own log nobody read: one pod of each, the least healthy, most named first, at most `max`. A caller
 * only says that its callee failed (or, with no address, names it as it calls it: `search backend error`, see
 * spokenCallee); the callee's own errors (a lookup it cannot make, a credential its database
 * refuses) say why, and carry the walk one hop further down the dependencies. A Service that selects the pod whose
 * line names it is that pod speaking of itself, not of a callee.
 */
export function calleeLogTargets(snapshot: ClusterSnapshot, namespace: string, max: number): LogTarget[] {
  const services = snapshot.services.filter((service) => service.metadata?.namespace === namespace);
  const podsOf = (service: Service): Pod[] =>
    snapshot.pods.filter(
      (pod) =>
        pod.metadata?.namespace === namespace &&
        Object.keys(service.spec?.selector ?? {}).length > 0 &&
        matchesMap(pod.metadata?.labels, service.spec?.selector),
    );
  const controllers = podControllers(snapshot);
  const read = new Set(snapshot.logs.map((log) => `${log.namespace}/${log.pod}`));
  const named = new Map<Service, number>();
  for (const log of snapshot.logs.filter((candidate) => candidate.namespace === namespace)) {
    const speaker = snapshot.pods.find((pod) => pod.metadata?.namespace === namespace && pod.metadata.name === log.pod);
    for (const raw of log.lines) {
      const text = parseLogLine(raw).text;
      if (answersClientError(text)) continue;
      const hosts = new Set(hostNamesIn(text));
      const callees = new Set(
        [...hosts]
          .map((host) => serviceNameOf(host, namespace))
          .filter((callee) => callee?.namespace === namespace)
          .map((callee) => services.find((service) => service.metadata?.name === callee?.name))
          .filter((service): service is Service => !!service && !(speaker && podsOf(service).includes(speaker))),
      );
      if (callees.size === 0 && speaker && looksLikeError(text)) {
        const spoken = spokenCallee(text, configuredCallees(speaker, namespace, controllers, services));
        if (spoken) callees.add(spoken);
      }
      for (const service of callees) named.set(service, (named.get(service) ?? 0) + 1);
    }
  }
  const groups = [...named]
    .sort((a, b) => b[1] - a[1])
    .map(([service]) => ({
      pods: podsOf(service),
      why: `the errors read name ${service.metadata?.name}, which this pod serves: its own errors say why it fails`,
    }));
  return unreadGroupTargets(groups, namespace, read, controllers, max);
}

/** The Services of its own namespace that the pod's configuration calls (`http://search-api:8080`). */
function configuredCallees(pod: Pod, namespace: string, controllers: PodController[], services: Service[]): Service[] {
  const names = new Set(
    configuredSettings([pod], controllers)
      .flatMap(hostNamesIn)
      .map((host) => serviceNameOf(host, namespace))
      .filter((callee) => callee?.namespace === namespace)
      .map((callee) => callee?.name),
  );
  return services.filter((service) => names.has(service.metadata?.name));
}

/** Words shorter than this say too little to stand for a Service (`api`, `web`). */
const MIN_SPOKEN_WORD = 4;

/**
 * The one callee an error line names as its client speaks of it, without an address: by the Service's name or its
 * first word (`search backend error` of a caller configured with `search-api`), URL paths left out (a path names the
 * caller's own route). Two callees named so, or none: the line does not say which.
 */
function spokenCallee(text: string, callees: Service[]): Service | undefined {
  const words = text.toLowerCase().replace(/\/[\w/.%?=&-]*/g, ' ');
  const named = callees.filter((service) => {
    const name = service.metadata?.name ?? '';
    const first = name.split('-')[0] ?? '';
    return standsAlone(name, words) || (first.length >= MIN_SPOKEN_WORD && standsAlone(first, words));
  });
  return named.length === 1 ? named[0] : undefined;
}

/**
 * One log target per group of pods of `namespace`, in the order given, at most `max`: a group one of whose pods was
 * already read is skipped (its log is in), and each other is read through the pod podToRead picks.
 */
export function unreadGroupTargets(
  groups: readonly { pods: Pod[]; why: string }[],
  namespace: string,
  read: ReadonlySet<string>,
  controllers: PodController[],
  max: number,
): LogTarget[] {
  const targets: LogTarget[] = [];
  for (const { pods, why } of groups) {
    if (targets.length >= max) break;
    if (pods.some((pod) => read.has(`${namespace}/${pod.metadata?.name}`))) continue;
    const chosen = podToRead(pods, controllers);
    if (chosen) targets.push({ namespace, ...chosen, why });
  }
  return targets;
}

/** Which pod of a group to read — one not ready first, else the first — and the container that says why it fails. */
export function podToRead(
  pods: Pod[],
  controllers: PodController[],
): { pod: string; container: string; previous: boolean } | undefined {
  const pod = pods.find((candidate) => !isPodReady(candidate)) ?? pods[0];
  const speaking = pod && speakingContainer(pod, controllers);
  return pod?.metadata?.name && speaking ? { pod: pod.metadata.name, ...speaking } : undefined;
}

/**
 * The container whose log says why the pod fails, and which of its instances: the first that ran of those its
 * controller declares (not a proxy injected beside it), else the first that ran. One waiting to start again after it
 * ended (a crash loop) speaks through its previous instance, whose last lines say why it ended.
 */
export function speakingContainer(
  pod: Pod,
  controllers: PodController[],
): { container: string; previous: boolean } | undefined {
  const declared = new Set(appContainers(pod, controllers).map((container) => container.name));
  const ran = (pod.status?.containerStatuses ?? []).filter(
    (status) => status.state?.running || status.state?.terminated || status.lastState?.terminated,
  );
  const status = ran.find((candidate) => declared.has(candidate.name)) ?? ran[0];
  if (!status) return undefined;
  return { container: status.name, previous: !status.state?.running && !status.state?.terminated };
}
