import type { EnvChange } from './env-changes.ts';
import { configuredHosts } from './hosts.ts';
import type { Container, Workload } from './workloads.ts';

const envOf = (containers: Container[]): Map<string, string> =>
  new Map(
    containers.flatMap((container) =>
      (container.env ?? []).flatMap((variable) =>
        variable.value !== undefined ? [[variable.name, variable.value] as const] : [],
      ),
    ),
  );

/** The hosts a set of env values names (a store's address, a broker's URL). */
const hostsOf = (env: Map<string, string>): Set<string> =>
  new Set([...env.values()].flatMap((value) => configuredHosts(value).map((mention) => mention.host)));

/**
 * The env changes of a new revision that set a value its peers do not: other workloads of its namespace configured
 * with the same host (they share the store, the queue, the broker) and the same variable all still hold the value it
 * had before. Two sides of one store agree on how to use it (which database, which queue, which topic): the side that
 * moved alone now writes where the other does not read — without an error on either side.
 */
export function divergedFromPeers(
  workload: Workload,
  after: Container[],
  changes: EnvChange[],
  workloads: readonly Workload[],
): { change: EnvChange; peers: string[] }[] {
  const own = envOf(after);
  const shared = hostsOf(own);
  if (shared.size === 0) return [];
  const peers = workloads
    .filter(
      (peer) =>
        peer.ref.namespace === workload.ref.namespace && peer.ref.name !== workload.ref.name && peer.ref.kind !== 'Pod',
    )
    .map((peer) => ({ name: peer.ref.name, env: envOf(peer.template?.spec?.containers ?? []) }))
    .filter((peer) => [...hostsOf(peer.env)].some((host) => shared.has(host)));
  return changes.flatMap((change) => {
    if (change.before === undefined || change.value === '' || configuredHosts(change.value).length > 0) return [];
    const holding = peers.filter((peer) => peer.env.has(change.name));
    if (holding.length === 0 || !holding.every((peer) => peer.env.get(change.name) === change.before)) return [];
    return [{ change, peers: holding.map((peer) => peer.name) }];
  });
}
