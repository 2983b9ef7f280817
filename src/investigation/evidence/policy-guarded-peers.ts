import { configMapTexts } from './config-hosts.ts';
import { failsToReach } from './connection-failures.ts';
import { matchesSelector } from './labels.ts';
import { RESOLVE_ERROR } from './log-line.ts';
import { logLinesOf } from './logs.ts';
import { namespacesNamedIn, type PodController, peerNamespaces } from './peer-namespaces.ts';
import { isPodReady } from './pod-state.ts';
import { podReferences } from './references.ts';
import type { ClusterSnapshot } from './snapshot.ts';

type Pod = ClusterSnapshot['pods'][number];
type NetworkPolicy = ClusterSnapshot['networkPolicies'][number];

/**
 * Where a caller's server lives, when that namespace's ingress policies may refuse it.
 *
 * A call across namespaces passes the server's ingress rules: the policies of the server's namespace that select its
 * pods admit a caller only when one rule of one of them names the caller's namespace (namespaceSelector) AND its pods
 * (podSelector, in the same peer) on the server's port. The caller cannot tell a refused connection from a server that
 * is down: it times out, its pool gives up, the readiness probe that checks the dependency fails. Those rules are
 * judged only once the server's pods and Services are read; the policy list (read across the cluster) says which
 * namespaces hold such rules.
 *
 * A namespace qualifies when pods of the alerted namespace fail the way a refused call fails (error lines of
 * connections that could not be made, or containers running but not ready: a probe that checks what they call), their
 * own settings, the ConfigMaps they read or those error lines name a Service there (`svc.ns.svc:port`), the namespace
 * was not read, and a policy there isolates ingress without a peer that admits those pods (their labels and their
 * namespace's). Most named first.
 */
export function policyGuardedPeers(
  snapshot: ClusterSnapshot,
  namespace: string,
  controllers: PodController[],
): string[] {
  const failing = failingCallers(snapshot, namespace);
  if (failing.length === 0) return [];
  const errorLines = logLinesOf(
    snapshot,
    namespace,
    failing.map((pod) => pod.metadata?.name ?? ''),
  )
    .map((line) => line.text)
    .filter(failsToReach);
  const named = [
    ...new Set([
      ...namespacesNamedIn(errorLines, namespace),
      ...existingNamespacesNamedIn(errorLines, snapshot, namespace),
      ...peerNamespaces(failing, namespace, controllers),
      ...namespacesNamedIn(configuredIn(snapshot, failing, namespace), namespace),
    ]),
  ];
  const read = (peer: string) => snapshot.pods.some((pod) => pod.metadata?.namespace === peer);
  return named.filter(
    (peer) =>
      !read(peer) &&
      snapshot.networkPolicies.some(
        (policy) =>
          policy.metadata?.namespace === peer &&
          isolatesIngress(policy) &&
          failing.some((pod) => !admitsPeer(policy, pod, snapshot)),
      ),
  );
}

/**
 * The values of the ConfigMaps the failing pods read (as environment, `envFrom`, or mounted files): a client given its
 * server's address there (`NATS_URL: nats://nats.data.svc:4222` in an `envFrom` map) is configured to call it as surely
 * as through its own env, which the pod spec cannot show.
 */
function configuredIn(snapshot: ClusterSnapshot, failing: Pod[], namespace: string): string[] {
  const { configMaps } = podReferences(failing);
  return configMapTexts(snapshot, namespace, (name) => configMaps.has(name));
}

// `service.namespace` alone, as a client prints the host it dials (`10.0.0.7:5432 (db-pooler.data)`).
const TWO_LABEL_HOST = /(?<![\w.-])[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.([a-z0-9](?:[a-z0-9-]*[a-z0-9])?)(?![\w.-])/g;

/**
 * Namespaces the lines name as `service.namespace` without a port or `.svc` (which namespacesNamedIn needs to tell
 * them from public hosts): only those the namespace list read holds, so a name of two words is a cluster host there.
 */
function existingNamespacesNamedIn(lines: string[], snapshot: ClusterSnapshot, namespace: string): string[] {
  const known = new Set(snapshot.namespaces.map((n) => n.metadata?.name));
  return lines.flatMap((line) =>
    [...line.matchAll(TWO_LABEL_HOST)].flatMap(([, peer]) =>
      peer && peer !== namespace && known.has(peer) ? [peer] : [],
    ),
  );
}

/**
 * Pods of the namespace that fail as a refused call fails: their log read says connections could not be made, or
 * they run (every container started) yet are not ready — what a readiness probe that checks a dependency shows. Not
 * pods whose lines say names do not resolve: their calls fail before any connection.
 */
function failingCallers(snapshot: ClusterSnapshot, namespace: string): Pod[] {
  return snapshot.pods.filter((pod) => {
    if (pod.metadata?.namespace !== namespace) return false;
    const lines = logLinesOf(snapshot, namespace, [pod.metadata?.name ?? '']).map((line) => line.text);
    // Names that do not resolve never become a connection a policy could drop: the lookups fail first.
    if (lines.some((text) => RESOLVE_ERROR.test(text))) return false;
    if (lines.some(failsToReach)) return true;
    const statuses = pod.status?.containerStatuses ?? [];
    return (
      pod.status?.phase === 'Running' &&
      !isPodReady(pod) &&
      statuses.length > 0 &&
      statuses.every((status) => status.state?.running !== undefined)
    );
  });
}

/** Whether the policy isolates the pods it selects for ingress (its policyTypes, or ingress by default). */
const isolatesIngress = (policy: NetworkPolicy): boolean =>
  (policy.spec?.policyTypes ?? ['Ingress']).includes('Ingress');

/**
 * Whether some ingress rule of the policy admits the pod as a peer, whatever the port: a rule with no peers admits
 * every source; a peer admits it when its namespaceSelector (the policy's own namespace without one) AND its
 * podSelector (every pod without one) both match. Namespaces' labels unread: only the name label is known.
 */
function admitsPeer(policy: NetworkPolicy, pod: Pod, snapshot: ClusterSnapshot): boolean {
  const own = pod.metadata?.namespace ?? '';
  const namespaceLabels = {
    'kubernetes.io/metadata.name': own,
    ...(snapshot.namespaces.find((n) => n.metadata?.name === own)?.metadata?.labels ?? {}),
  };
  return (policy.spec?.ingress ?? []).some((rule) => {
    const peers = rule.from ?? [];
    if (peers.length === 0) return true;
    return peers.some((peer) => {
      if (peer.ipBlock) return false;
      const inNamespace = peer.namespaceSelector
        ? matchesSelector(namespaceLabels, peer.namespaceSelector)
        : own === policy.metadata?.namespace;
      return inNamespace && (peer.podSelector ? matchesSelector(pod.metadata?.labels, peer.podSelector) : true);
    });
  });
}
