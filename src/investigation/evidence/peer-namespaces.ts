import type { ServiceName } from './hosts.ts';
import type { ClusterSnapshot } from './snapshot.ts';

type Pod = ClusterSnapshot['pods'][number];
type Container = NonNullable<Pod['spec']>['containers'][number];
/** A controller that stamps pods from a template (Deployment, ReplicaSet, StatefulSet, DaemonSet, Job). */
export type PodController = {
  metadata?: {
    uid?: string;
    name?: string;
    namespace?: string;
    ownerReferences?: { uid?: string; name: string; controller?: boolean }[];
  };
  spec?: { template?: { spec?: Pod['spec'] } };
};

/** The pod controllers a snapshot holds, for `appContainers`. */
export const podControllers = (snapshot: ClusterSnapshot): PodController[] => [
  ...snapshot.deployments,
  ...snapshot.replicaSets,
  ...snapshot.statefulSets,
  ...snapshot.daemonSets,
  ...snapshot.jobs,
];

/**
 * The containers of a pod that its controllers' templates declare (its ReplicaSet's and that one's Deployment's). A
 * container no template has was injected at admission (a service mesh's proxy and its init step): platform plumbing
 * present in every pod, so the namespaces its settings name (the mesh's control plane) are not the application's
 * dependencies. Without a controller to compare with, all of them.
 */
export function appContainers(pod: Pod, controllers: PodController[] = []): Container[] {
  const all = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])];
  const namespace = pod.metadata?.namespace;
  const ownerOf = (metadata: PodController['metadata']) => {
    const ref = metadata?.ownerReferences?.find((o) => o.controller) ?? metadata?.ownerReferences?.[0];
    return ref
      ? controllers.find(
          (c) =>
            c.metadata?.namespace === namespace &&
            ((ref.uid && c.metadata?.uid === ref.uid) || c.metadata?.name === ref.name),
        )
      : undefined;
  };
  const direct = ownerOf(pod.metadata);
  const templates = [direct, direct && ownerOf(direct.metadata)].flatMap((c) => c?.spec?.template?.spec ?? []);
  if (templates.length === 0) return all;
  const declared = new Set(
    templates.flatMap((template) => [...(template.initContainers ?? []), ...template.containers].map((c) => c.name)),
  );
  return all.filter((container) => declared.has(container.name));
}

const settings = (container: Container): string[] => [
  ...(container.env ?? []).map((env) => env.value ?? ''),
  ...(container.command ?? []),
  ...(container.args ?? []),
];

// `svc.ns`, `svc.ns.svc`, `svc.ns.svc.cluster.local`, with an optional scheme, credentials and port; a StatefulSet
// member's `pod.svc.ns.svc…` names its governing Service the same way.
// `://` then the host, or `:///` (a gRPC name-resolver target: `dns:///svc.ns.svc:443`).
// Case-sensitive: Service and namespace names are lower-case DNS labels, so a token with capitals is something else —
// a stack frame's source file and line (`(Thread.java:833)`) has the same shape as `svc.ns:port`.
const CLUSTER_HOST =
  /(?:^|[\s,;="'(]|:\/\/\/?(?:[^\s/@]+@)?)(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.(?=[a-z0-9-]+\.[a-z0-9-]+\.svc\b))?([a-z0-9](?:[a-z0-9-]*[a-z0-9])?)\.([a-z0-9](?:[a-z0-9-]*[a-z0-9])?)(\.svc(?:\.[a-z0-9.-]+)?)?(:\d{1,5})?(?=$|[\s,;/"')])/g;

/**
 * Other namespaces the pods' own configuration (env values, command and arguments of the containers their controllers
 * declare) points at through cluster DNS names (`db.data.svc:5432`, `cache.shared:6379`), most referenced first.
 */
export function peerNamespaces(pods: Pod[], namespace: string, controllers: PodController[] = []): string[] {
  return namespacesNamedIn(configuredSettings(pods, controllers), namespace);
}

/** The Services of other namespaces that the pods' own configuration names, by namespace (as `peerNamespaces`). */
export function peerServices(
  pods: Pod[],
  namespace: string,
  controllers: PodController[] = [],
): Map<string, Set<string>> {
  return new Map(
    namedPeers(configuredSettings(pods, controllers), namespace).map((peer) => [peer.namespace, peer.services]),
  );
}

/** Settings of the containers the pods' controllers declare, sidecars every workload carries left out. */
export function configuredSettings(pods: Pod[], controllers: PodController[]): string[] {
  const plumbing = sidecarNames(pods);
  return pods.flatMap((pod) =>
    appContainers(pod, controllers)
      .filter((container) => !plumbing.has(container.name))
      .flatMap(settings),
  );
}

/**
 * Container names every pod of several different workloads carries beside containers of its own: a sidecar declared in
 * each template (a mesh proxy written into the manifests rather than injected). The namespaces its settings name (the
 * mesh's control plane) are plumbing shared by all, not what any one workload depends on.
 */
function sidecarNames(pods: Pod[]): Set<string> {
  const workloads = new Set(pods.map((pod) => pod.metadata?.ownerReferences?.[0]?.name ?? pod.metadata?.name));
  if (workloads.size < 2) return new Set();
  const names = pods.map((pod) => new Set((pod.spec?.containers ?? []).map((c) => c.name)));
  const shared = [...(names[0] ?? [])].filter((name) => names.every((set) => set.has(name) && set.size > 1));
  return new Set(shared);
}

/**
 * The in-cluster hosts (`svc.ns`, `svc.ns.svc:5432`…) a text names, without anything around them: what a Secret's value
 * (a connection URL with its credentials) may say about where its reader connects, and nothing else of it.
 */
export function clusterHostsIn(text: string): string[] {
  return [...text.matchAll(CLUSTER_HOST)].flatMap(([, svc, peer, suffix, port]) =>
    suffix || port ? [`${svc}.${peer}${suffix ?? ''}${port ?? ''}`.toLowerCase()] : [],
  );
}

/**
 * Namespaces other than `namespace` that texts name through cluster DNS names, most named first. A two-label name
 * only counts with a port or `.svc`, so public hosts (`example.com`) do not.
 */
export function namespacesNamedIn(texts: string[], namespace: string): string[] {
  return namedPeers(texts, namespace).map((peer) => peer.namespace);
}

/** The Services of other namespaces that texts name through cluster DNS, those of the most named namespace first. */
export function servicesNamedIn(texts: string[], namespace: string): ServiceName[] {
  return namedPeers(texts, namespace).flatMap((peer) =>
    [...peer.services].map((name): ServiceName => ({ namespace: peer.namespace, name })),
  );
}

/** Each other namespace the texts name through cluster DNS, with the Services named there, most named first. */
function namedPeers(texts: string[], namespace: string): { namespace: string; services: Set<string> }[] {
  const peers = new Map<string, { namespace: string; services: Set<string>; mentions: number }>();
  for (const text of texts) {
    for (const match of text.matchAll(CLUSTER_HOST)) {
      const [, service, peer, svc, port] = match;
      if (!service || !peer || peer.toLowerCase() === namespace || (!svc && !port)) continue;
      const key = peer.toLowerCase();
      const entry = peers.get(key) ?? { namespace: key, services: new Set<string>(), mentions: 0 };
      entry.services.add(service.toLowerCase());
      entry.mentions++;
      peers.set(key, entry);
    }
  }
  return [...peers.values()].sort((a, b) => b.mentions - a.mentions);
}

/** An env variable that names a namespace by convention (`WATCH_NAMESPACE`, `WORKER_NAMESPACE`, `TARGET_NS`). */
const NAMESPACE_VARIABLE = /(?:^|_)(?:NAMESPACE|NS)$/i;
/** The same as a command-line flag (`--jobs-namespace=render-jobs`, `--target-ns=batch`). */
const NAMESPACE_FLAG = /^--?(?:[a-z]+-)*(?:namespace|ns)=([a-z0-9-]+)$/i;
const DNS_LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/**
 * Other namespaces the pods' own configuration names bare in a variable or flag that holds a namespace
 * (`WORKER_NAMESPACE=build-jobs`, `--jobs-namespace=render-jobs`): the workload acts there through the API (creates its Jobs, watches its objects), so what fails there
 * is its work failing. A value from the downward API (`fieldRef`) is the pod's own namespace and says nothing.
 */
export function actedOnNamespaces(pods: Pod[], namespace: string, controllers: PodController[] = []): string[] {
  const plumbing = sidecarNames(pods);
  const named = pods.flatMap((pod) =>
    appContainers(pod, controllers)
      .filter((container) => !plumbing.has(container.name))
      .flatMap((container) => [
        ...(container.env ?? [])
          .filter((env) => NAMESPACE_VARIABLE.test(env.name) && env.value)
          .map((env) => env.value as string),
        ...[...(container.command ?? []), ...(container.args ?? [])].flatMap(
          (arg) => NAMESPACE_FLAG.exec(arg)?.slice(1, 2) ?? [],
        ),
      ])
      .filter((value) => DNS_LABEL.test(value)),
  );
  return [...new Set(named)].filter((peer) => peer !== namespace);
}

/**
 * Other namespaces named by the init containers of pods that have not finished initialising (an init container
 * waiting for a database in another namespace): the pods cannot start until something there answers.
 */
export function initWaitNamespaces(pods: Pod[], namespace: string, controllers: PodController[] = []): string[] {
  const waiting = pods.filter((pod) =>
    (pod.status?.conditions ?? []).some((c) => c.type === 'Initialized' && c.status === 'False'),
  );
  const texts = waiting.flatMap((pod) => {
    const own = new Set(appContainers(pod, controllers).map((container) => container.name));
    return (pod.spec?.initContainers ?? []).filter((container) => own.has(container.name)).flatMap(settings);
  });
  return namespacesNamedIn(texts, namespace);
}
