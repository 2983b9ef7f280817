import type { ClusterSnapshot } from './snapshot.ts';

type Pod = ClusterSnapshot['pods'][number];

// `svc.ns`, `svc.ns.svc`, `svc.ns.svc.cluster.local`, with an optional scheme, credentials and port.
const CLUSTER_HOST =
  /(?:^|[\s,;="'(]|:\/\/(?:[^\s/@]+@)?)([a-z0-9](?:[a-z0-9-]*[a-z0-9])?)\.([a-z0-9](?:[a-z0-9-]*[a-z0-9])?)(\.svc(?:\.[a-z0-9.-]+)?)?(:\d{1,5})?(?=$|[\s,;/"')])/gi;

/**
 * Other namespaces the pods' configuration (env values, command and arguments) points at through cluster DNS names
 * (`db.data.svc:5432`, `cache.shared:6379`), most referenced first.
 */
export function peerNamespaces(pods: Pod[], namespace: string): string[] {
  const texts = pods.flatMap((pod) =>
    [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])].flatMap((container) => [
      ...(container.env ?? []).map((env) => env.value ?? ''),
      ...(container.command ?? []),
      ...(container.args ?? []),
    ]),
  );
  return namespacesNamedIn(texts, namespace);
}

/**
 * Namespaces other than `namespace` that texts name through cluster DNS names, most named first. A two-label name
 * only counts with a port or `.svc`, so public hosts (`example.com`) do not.
 */
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
export function initWaitNamespaces(pods: Pod[], namespace: string): string[] {
  const waiting = pods.filter((pod) =>
    (pod.status?.conditions ?? []).some((c) => c.type === 'Initialized' && c.status === 'False'),
  );
  const texts = waiting.flatMap((pod) =>
    (pod.spec?.initContainers ?? []).flatMap((container) => [
      ...(container.env ?? []).map((env) => env.value ?? ''),
      ...(container.command ?? []),
      ...(container.args ?? []),
    ]),
  );
  return namespacesNamedIn(texts, namespace);
}
