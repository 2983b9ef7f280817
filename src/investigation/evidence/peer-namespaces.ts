import type { ClusterSnapshot } from './snapshot.ts';

type Pod = ClusterSnapshot['pods'][number];

// `svc.ns`, `svc.ns.svc`, `svc.ns.svc.cluster.local`, with an optional scheme, credentials and port.
const CLUSTER_HOST =
  /(?:^|[\s,;="'(]|:\/\/(?:[^\s/@]+@)?)([a-z0-9](?:[a-z0-9-]*[a-z0-9])?)\.([a-z0-9](?:[a-z0-9-]*[a-z0-9])?)(\.svc(?:\.[a-z0-9.-]+)?)?(:\d{1,5})?(?=$|[\s,;/"')])/gi;

/**
 * Other namespaces the pods' configuration points at through cluster DNS names (`db.data.svc:5432`, `cache.shared:6379`),
 * most referenced first. A two-label name only counts with a port or `.svc`, so public hosts (`example.com`) do not.
 */
export function peerNamespaces(pods: Pod[], namespace: string): string[] {
  const counts = new Map<string, number>();
  for (const pod of pods) {
    for (const container of [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])]) {
      for (const env of container.env ?? []) {
        for (const match of (env.value ?? '').matchAll(CLUSTER_HOST)) {
          const [, , peer, svc, port] = match;
          if (!peer || peer.toLowerCase() === namespace || (!svc && !port)) continue;
          counts.set(peer.toLowerCase(), (counts.get(peer.toLowerCase()) ?? 0) + 1);
        }
      }
    }
  }
  return [...counts].sort((a, b) => b[1] - a[1]).map(([peer]) => peer);
}
