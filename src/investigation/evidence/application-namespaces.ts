import type { NamespaceTrouble } from './recent-trouble.ts';
import type { ClusterSnapshot } from './snapshot.ts';

/**
 * The other namespaces of the alerted application, and the pod trouble in them that the cheap cluster-wide reads cannot
 * see. A workload that restarts (OOMKilled again and again) runs and is Ready between its kills, and the kubelet posts
 * no Warning event for a container killed at its limit: `status.phase!=Running` and `type=Warning` both miss it. What
 * an SRE does then is read the application's other namespaces — a producer off the read path (a gateway that writes
 * the readings the alerted API serves, whose store address sits in a Secret) fails there.
 */

/** The recommended label naming the application a namespace belongs to (kubernetes.io/docs, recommended labels). */
const PART_OF = 'app.kubernetes.io/part-of';
const INSTANCE = 'app.kubernetes.io/instance';
/** At most this many sibling namespaces are read (one request each). */
export const MAX_APPLICATION_NAMESPACES = 2;

type Namespace = ClusterSnapshot['namespaces'][number];
type Pod = ClusterSnapshot['pods'][number];

/** The first dash-separated part of a name, when it is long enough to name an application (`shop` of `shop-data`). */
const stem = (name: string): string | undefined => {
  const [first] = name.split('-');
  return first && first.length >= 4 && first !== name ? first : undefined;
};

/**
 * Namespaces of the same application as `from`: labelled part of (or instance of) the same application, else sharing its
 * name's stem (`shop`, `shop-data`, `shop-iot`). Those in `read` were examined already.
 */
export function applicationNamespaces(namespaces: Namespace[], from: string, read: ReadonlySet<string>): string[] {
  const own = namespaces.find((namespace) => namespace.metadata?.name === from);
  const labels = own?.metadata?.labels ?? {};
  const application = [PART_OF, INSTANCE].flatMap((key) => (labels[key] ? [[key, labels[key]] as const] : []));
  const root = from.includes('-') ? stem(from) : from;
  return namespaces
    .map((namespace) => ({ name: namespace.metadata?.name ?? '', labels: namespace.metadata?.labels ?? {} }))
    .filter(({ name }) => name && name !== from && !read.has(name))
    .filter(
      ({ name, labels: theirs }) =>
        application.some(([key, value]) => theirs[key] === value) ||
        (root !== undefined && (name === root || name.startsWith(`${root}-`))),
    )
    .map(({ name }) => name)
    .sort()
    .slice(0, MAX_APPLICATION_NAMESPACES);
}

/**
 * Trouble of pods since `since`: a container restarted, its last run ending in the window. A restart that ended before
 * the window and has run since is history (an OOM kill days ago), not this incident; a leak's kills recur every few
 * hours, and the one that ended just before the onset is the incident's.
 */
export function restartTroubleSince(pods: Pod[], since: string): Map<string, NamespaceTrouble> {
  const byNamespace = new Map<string, NamespaceTrouble>();
  for (const pod of pods) {
    const namespace = pod.metadata?.namespace;
    const name = pod.metadata?.name;
    if (!namespace || !name) continue;
    const restarting = (pod.status?.containerStatuses ?? []).filter((status) => {
      if ((status.restartCount ?? 0) === 0) return false;
      const ended = status.lastState?.terminated?.finishedAt;
      return ended !== undefined && ended >= since;
    });
    const first = restarting[0];
    if (!first) continue;
    const entry = byNamespace.get(namespace) ?? {
      namespace,
      signs: 0,
      onlyRecurring: false,
      words: new Set<string>(),
      examples: [],
    };
    entry.signs++;
    const terminated = first.lastState?.terminated;
    if (entry.examples.length < 3)
      entry.examples.push(
        `pod ${name} container ${first.name} restarted ${first.restartCount} times, last ${terminated?.reason ?? 'terminated'} at ${terminated?.finishedAt}`,
      );
    byNamespace.set(namespace, entry);
  }
  return byNamespace;
}
