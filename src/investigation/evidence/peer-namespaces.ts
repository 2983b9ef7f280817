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

// `svc.ns`, `svc.ns.svc`, `svc.ns.svc.cluster.local`, with an optional scheme, credentials and port.
const CLUSTER_HOST =
  /(?:^|[\s,;="'(]|:\/\/(?:[^\s/@]+@)?)([a-z0-9](?:[a-z0-9-]*[a-z0-9])?)\.([a-z0-9](?:[a-z0-9-]*[a-z0-9])?)(\.svc(?:\.[a-z0-9.-]+)?)?(:\d{1,5})?(?=$|[\s,;/"')])/gi;

/**
 * Other namespaces the pods' own configuration (env values, command and arguments of the containers their controllers
 * declare) points at through cluster DNS names (`db.data.svc:5432`, `cache.shared:6379`), most referenced first.
 */
export function peerNamespaces(pods: Pod[], namespace: string, controllers: PodController[] = []): string[] {
  const plumbing = sidecarNames(pods);
  const texts = pods.flatMap((pod) =>
    appContainers(pod, controllers)
      .filter((container) => !plumbing.has(container.name))
      .flatMap(settings),
  );
  return namespacesNamedIn(texts, namespace);
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
 * Namespaces other than `namespace` that texts name through cluster DNS names, most named first. A two-label name
 * only counts with a port or `.svc`, so public hosts (`example.com`) do not.
 */
/**
 * The in-cluster hosts (`svc.ns`, `svc.ns.svc:5432`…) a text names, without anything around them: what a Secret's value
 * (a connection URL with its credentials) may say about where its reader connects, and nothing else of it.
 */
export function clusterHostsIn(text: string): string[] {
  return [...text.matchAll(CLUSTER_HOST)].flatMap(([, svc, peer, suffix, port]) =>
    suffix || port ? [`${svc}.${peer}${suffix ?? ''}${port ?? ''}`.toLowerCase()] : [],
  );
}

export function namespacesNamedIn(texts: string[], namespace: string): string[] {
  const counts = new Map<string, number>();
  for (const text of texts) {
    for (const match of text.matchAll(CLUSTER_HOST)) {
      const [, , peer, svc, port] = match;
      if (!peer || peer.toLowerCase() === namespace || (!svc && !port)) continue;
      counts.set(peer.toLowerCase(), (counts.get(peer.toLowerCase()) ?? 0) + 1);
    }
  }
  return [...counts].sort((a, b) => b[1] - a[1]).map(([peer]) => peer);
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
