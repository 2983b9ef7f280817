import { owningWorkload } from '../focus.ts';
import { type EntityRef, refKey } from '../model.ts';
import { unreadGroupTargets } from './callee-log-targets.ts';
import { customControllerOf } from './custom-owners.ts';
import type { EvidenceGraph } from './graph.ts';
import type { LogTarget } from './log-targets.ts';
import { erringPodsElsewhere } from './metric-queries.ts';
import { podControllers } from './peer-namespaces.ts';
import type { ClusterSnapshot } from './snapshot.ts';

type Pod = ClusterSnapshot['pods'][number];

/**
 * What a server belongs to as one dependency: the operator's resource that generates it (a failover group's data pods
 * and its sentinels are one store, reached through either's Service), else its own workload.
 */
function unitOf(snapshot: ClusterSnapshot, pod: Pod): string | undefined {
  const namespace = pod.metadata?.namespace ?? '';
  const owner = customControllerOf(snapshot, pod).owner;
  if (owner) return refKey({ kind: owner.kind, namespace, name: owner.name });
  const workload = owningWorkload(pod.metadata?.name ?? '', namespace, snapshot);
  return workload ? refKey(workload) : undefined;
}

/**
 * A server in another namespace counts errors of its own now (its exporter's failure series name the pod: writes it
 * refuses, commands it rejects), while the alerted namespace's logs read say nothing of it: its clients in the alerted
 * namespace are who meet those errors, and their logs say which (`OOM command not allowed`, a limit, a refusal). The
 * clients are the workloads whose configuration names a Service of the same dependency — one the erring pod is
 * behind, or any generated with it by the same operator's resource. One pod each, whose log was not read, at most
 * `max`, the clients with most replicas first (the busiest, the likeliest to have met the errors).
 */
export function erringServerClients(
  snapshot: ClusterSnapshot,
  graph: EvidenceGraph,
  namespace: string,
  max: number,
): LogTarget[] {
  const servers = erringPodsElsewhere(snapshot.metrics, namespace)
    .map(({ namespace: where, pod }) => graph.pod(where, pod))
    .filter((pod): pod is Pod => pod !== undefined);
  const units = new Set(servers.map((pod) => unitOf(snapshot, pod)).filter((unit) => unit !== undefined));
  if (units.size === 0) return [];
  const namespaces = new Set(servers.map((pod) => pod.metadata?.namespace));
  const services = snapshot.services.filter(
    (service) =>
      namespaces.has(service.metadata?.namespace) &&
      graph.podsSelectedBy(service).some((pod) => units.has(unitOf(snapshot, pod) ?? '')),
  );
  const read = new Set(snapshot.logs.map((log) => `${log.namespace}/${log.pod}`));
  const clients = new Map<string, EntityRef>();
  for (const service of services) {
    const ref = { kind: 'Service', namespace: service.metadata?.namespace ?? '', name: service.metadata?.name ?? '' };
    for (const edge of graph.callersOf(ref))
      if (edge.from.namespace === namespace && edge.from.kind !== 'Pod') clients.set(refKey(edge.from), edge.from);
  }
  const controllers = podControllers(snapshot);
  const groups = [...clients.values()]
    .map((client) => ({
      pods: graph.podsOf(client),
      why: `${client.name} calls a server in ${[...namespaces].join(', ')} whose own counters show errors now`,
    }))
    .sort((a, b) => b.pods.length - a.pods.length);
  return unreadGroupTargets(groups, namespace, read, controllers, max);
}
