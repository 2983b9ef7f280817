import { podToRead } from './callee-log-targets.ts';
import { hostNamesIn, type ServiceName, serviceNameOf } from './hosts.ts';
import { matchesMap } from './labels.ts';
import { calleeHome } from './callee-elsewhere.ts';
import { looksLikeError, parseLogLine } from './log-line.ts';
import { type PodController, peerServices, podControllers, servicesNamedIn } from './peer-namespaces.ts';
import { configMapTexts } from './config-hosts.ts';
import type { LogTarget } from './log-targets.ts';
import type { ClusterSnapshot } from './snapshot.ts';

/**
 * Logs across the namespace boundary: for each Service of another namespace that the error lines read in `namespace`
 * name (`claims.billing.svc:8080`, or by bare name when only that namespace's is configured: configuredElsewhere), one
 * pod behind it, the least healthy, so the dependency says why it fails.
 * Most named first, at most `max`, skipping pods whose log was already read. Then the servers of silent clients: a pod
 * whose log was read and holds no error line may still fail every call it makes (an app that swallows its errors), and
 * the server it is configured to call in another namespace logs the refusal (authentication, connections) instead.
 * `followed`: the other namespaces the investigation went on to read, where a bare name the configuration does not
 * place may be found (followedElsewhere).
 */
export function peerLogTargets(
  snapshot: ClusterSnapshot,
  namespace: string,
  max: number,
  followed: readonly string[] = [],
): LogTarget[] {
  const named = new Map<string, ServiceName & { count: number }>();
  const controllers = podControllers(snapshot);
  const configured = configuredElsewhere(snapshot, namespace, controllers);
  for (const log of snapshot.logs.filter((candidate) => candidate.namespace === namespace)) {
    for (const raw of log.lines) {
      const text = parseLogLine(raw).text;
      const erring = looksLikeError(text);
      const hosts = new Set(hostNamesIn(text));
      for (const host of hosts) {
        // A bare name is a Service of another namespace when no Service here has it and the pods' own configuration
        // calls one of that name there (`"upstream":"orders"` beside ORDERS_URL=http://orders.shop.svc:8080).
        const service = host.includes('.')
          ? serviceNameOf(host, namespace)
          : erring
            ? (configured.get(host.toLowerCase()) ?? followedElsewhere(snapshot, host, namespace, followed))
            : undefined;
        if (!service || service.namespace === namespace) continue;
        const key = `${service.namespace}/${service.name}`;
        named.set(key, { ...service, count: (named.get(key)?.count ?? 0) + 1 });
      }
    }
  }
  for (const service of silentClientServers(snapshot, namespace, controllers)) {
    const key = `${service.namespace}/${service.name}`;
    if (!named.has(key)) named.set(key, { ...service, count: 0 });
  }
  const read = new Set(snapshot.logs.map((log) => `${log.namespace}/${log.pod}`));
  const targets: LogTarget[] = [];
  for (const { namespace: peer, name } of [...named.values()].sort((a, b) => b.count - a.count)) {
    if (targets.length >= max) break;
    const service = snapshot.services.find((s) => s.metadata?.namespace === peer && s.metadata?.name === name);
    const pods = snapshot.pods.filter(
      (pod) => pod.metadata?.namespace === peer && matchesMap(pod.metadata?.labels, service?.spec?.selector),
    );
    const chosen = podToRead(pods, controllers);
    if (!chosen || read.has(`${peer}/${chosen.pod}`)) continue;
    targets.push({
      namespace: peer,
      ...chosen,
      why: `${namespace}'s errors name ${name}.${peer}, which this pod serves`,
    });
  }
  return targets;
}

/**
 * The Services of other namespaces that the namespace's pods are configured to call, by name, for the names no Service of
 * the namespace has and only one other namespace holds.
 */
function configuredElsewhere(
  snapshot: ClusterSnapshot,
  namespace: string,
  controllers: PodController[],
): Map<string, ServiceName> {
  const local = new Set(
    snapshot.services.filter((s) => s.metadata?.namespace === namespace).map((s) => s.metadata?.name),
  );
  const byName = new Map<string, ServiceName[]>();
  const pods = snapshot.pods.filter((pod) => pod.metadata?.namespace === namespace);
  // The namespace's ConfigMaps count as its configuration too: an application may load a file of addresses itself,
  // which no pod template references (`CHECKOUT_URL: http://checkout.shop-core.svc:8080`).
  const inFiles = servicesNamedIn(configMapTexts(snapshot, namespace), namespace);
  for (const service of uniqueServices([...configuredServers(pods, namespace, controllers), ...inFiles]))
    if (!local.has(service.name)) byName.set(service.name, [...(byName.get(service.name) ?? []), service]);
  // A name two namespaces hold is ambiguous: the bare name cannot say which one the errors mean.
  return new Map(
    [...byName].flatMap(([name, [only, ...others]]) => (only && others.length === 0 ? [[name, only]] : [])),
  );
}

/**
 * A bare name the configuration does not place (a file or a map read whole may hold the address), which no Service of
 * the namespace has, when the investigation went on to read the namespaces the errors led to (an address in a file,
 * the cluster's Services asked where the name lives: callee-elsewhere.ts) and exactly one of those holds a Service of
 * that name: that one is the callee. Services of namespaces read for other reasons do not place a bare name.
 */
function followedElsewhere(
  snapshot: ClusterSnapshot,
  host: string,
  namespace: string,
  followed: readonly string[],
): ServiceName | undefined {
  const lower = host.toLowerCase();
  if (snapshot.services.some((s) => s.metadata?.namespace === namespace && s.metadata.name === lower)) return undefined;
  const candidates = snapshot.services.filter((s) => followed.includes(s.metadata?.namespace ?? ''));
  const home = calleeHome([lower], candidates, namespace);
  return home ? { name: home.service, namespace: home.namespace } : undefined;
}

/**
 * Services in other namespaces that the configuration (env values) of pods whose logs were read and are silent names:
 * silent of errors — a client that only warns (`shard 0 stale, serving cached`) does not say why its calls fail either.
 */
function silentClientServers(
  snapshot: ClusterSnapshot,
  namespace: string,
  controllers: PodController[],
): ServiceName[] {
  const silent = new Set(
    snapshot.logs
      .filter((log) => log.namespace === namespace && !log.previous)
      .filter(
        (log) =>
          !snapshot.logs.some(
            (other) =>
              other.namespace === namespace &&
              other.pod === log.pod &&
              other.lines.some((line) => looksLikeError(line)),
          ),
      )
      .map((log) => log.pod),
  );
  const pods = snapshot.pods.filter(
    (pod) => pod.metadata?.namespace === namespace && silent.has(pod.metadata?.name ?? ''),
  );
  return configuredServers(pods, namespace, controllers);
}

/**
 * Which servers of other namespaces the pods' own configuration calls (peerServices: the settings of the containers
 * their controllers declare), one entry per Service: the one answer both the bare names of errors and silent clients
 * go by.
 */
const configuredServers = (pods: ClusterSnapshot['pods'], namespace: string, controllers: PodController[]) =>
  [...peerServices(pods, namespace, controllers)].flatMap(([peer, names]) =>
    [...names].map((name): ServiceName => ({ namespace: peer, name })),
  );

/** The services given, each once (the same address in the pod's settings and in a file would read as two namespaces). */
const uniqueServices = (services: ServiceName[]): ServiceName[] => [
  ...new Map(services.map((service) => [`${service.namespace}/${service.name}`, service])).values(),
];
