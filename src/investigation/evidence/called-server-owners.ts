import type { CustomObject } from './custom-object.ts';
import {
  customControllerOf,
  customKind,
  type CustomOwnerRead,
  customOwnerChain,
  isCustomOwner,
} from './custom-owners.ts';
import type { EvidenceGraph } from './graph.ts';
import { eventNamespace, eventTime } from './events.ts';
import { looksLikeError, parseLogLine } from './log-line.ts';
import { isPodReady } from './pod-state.ts';
import type { ClusterSnapshot } from './snapshot.ts';
import { toMs } from './time.ts';
import type { EntityRef } from '../model.ts';

type Pod = ClusterSnapshot['pods'][number];

/**
 * A server a workload that logs errors calls (the graph's dependency on a Service, the pods it selects), and the custom
 * resources that control those pods through their ownerReferences (an operator's resource → the workload it generates
 * → the pods), nearest first, as far as they were read.
 */
export interface CalledServer {
  /** The workload whose log read holds error lines, or whose running pods are not ready. */
  caller: EntityRef;
  /** When its first error line read was written (ms), if the lines carry times. */
  firstError?: number;
  /** An error line of the caller, as read (or a Warning event about its pod). */
  line: string;
  service: EntityRef;
  servers: Pod[];
  /** The custom resources above the server pods, nearest first; the last is the one its operator reconciles from. */
  chain: CustomObject[];
  /** The workloads Kubernetes runs between the resource and the pods (its generated Deployment, StatefulSet…). */
  generated: { kind: string; metadata: { name?: string; namespace?: string } }[];
}

/**
 * What troubled pods say, by pod (`namespace/pod`): the error lines of their current logs read, and, for pods that run
 * but their readiness check holds out of service, the Warning events about them (`<first time> <reason>: <message>`)
 * — an application's readiness check commonly checks what it calls.
 */
function troubleLines(snapshot: ClusterSnapshot): Map<string, string[]> {
  const byPod = new Map<string, string[]>();
  const add = (key: string, lines: string[]) => {
    if (lines.length > 0) byPod.set(key, [...(byPod.get(key) ?? []), ...lines]);
  };
  for (const log of snapshot.logs) {
    if (log.previous) continue;
    add(
      `${log.namespace}/${log.pod}`,
      log.lines.filter((line) => looksLikeError(parseLogLine(line).text)),
    );
  }
  for (const pod of snapshot.pods) {
    if (pod.status?.phase !== 'Running' || isPodReady(pod)) continue;
    const { name, namespace } = pod.metadata ?? {};
    add(
      `${namespace}/${name}`,
      snapshot.events
        .filter(
          (event) =>
            event.type === 'Warning' &&
            event.involvedObject?.kind === 'Pod' &&
            event.involvedObject?.name === name &&
            eventNamespace(event) === namespace,
        )
        .map((event) => `${event.firstTimestamp ?? eventTime(event) ?? ''} ${event.reason}: ${event.message ?? ''}`),
    );
  }
  return byPod;
}

/**
 * The servers the workloads that log errors call, whose pods an operator's custom resource controls (read or not):
 * what the errors describe may be the behaviour that resource sets on them.
 */
export function calledOperatorServers(snapshot: ClusterSnapshot, graph: EvidenceGraph): CalledServer[] {
  const found: CalledServer[] = [];
  for (const [key, lines] of troubleLines(snapshot)) {
    const [namespace = '', name = ''] = key.split('/');
    const pod = graph.pod(namespace, name);
    if (!pod) continue;
    const caller = graph.workloadOf(pod);
    const times = lines.map((line) => toMs(parseLogLine(line).at)).filter((ms): ms is number => ms !== undefined);
    const firstError = times.length > 0 ? Math.min(...times) : undefined;
    for (const edge of graph.dependenciesOf(caller)) {
      if (edge.to.kind !== 'Service') continue;
      const service = graph.service(edge.to.namespace ?? '', edge.to.name);
      const servers = service ? graph.podsSelectedBy(service) : [];
      const first = servers[0];
      if (!first || servers.some((server) => server.metadata?.namespace === namespace && sameOwner(server, pod)))
        continue;
      if (!customControllerOf(snapshot, first as Parameters<typeof customControllerOf>[1]).owner) continue;
      const { chain, generated } = customOwnerChain(snapshot, first);
      found.push({
        caller,
        ...(firstError !== undefined ? { firstError } : {}),
        line: lines[0] ?? '',
        service: edge.to,
        servers,
        chain,
        generated,
      });
    }
  }
  return found;
}

/** Whether two pods share their controller (a workload calling its own Service is no dependency on a server). */
const sameOwner = (a: Pod, b: Pod): boolean => {
  const owner = (pod: Pod) => pod.metadata?.ownerReferences?.find((o) => o.controller)?.name;
  return owner(a) !== undefined && owner(a) === owner(b);
};

/** Owner kinds of called servers read, at most. */
const MAX_CALLED_OWNERS = 1;

/**
 * The custom kinds, not read yet, that control the servers the workloads logging errors call: the next link up each
 * server's owner chain, where the server runs. Its operator enforces that resource's spec on the server it generates
 * (a pause, a limit, an access rule) without the server's own objects changing.
 */
export function calledServerOwners(
  snapshot: ClusterSnapshot,
  graph: EvidenceGraph,
  tried: ReadonlySet<string>,
): CustomOwnerRead[] {
  const reads = new Map<string, CustomOwnerRead>();
  for (const { servers } of calledOperatorServers(snapshot, graph)) {
    const server = servers[0] as Pod;
    const namespace = server.metadata?.namespace ?? '';
    const { unread } = customOwnerChain(snapshot, server);
    if (!unread || !isCustomOwner(unread)) continue;
    const kind = { ...customKind(snapshot, unread), namespace };
    const key = `${namespace}/${kind.group}/${kind.kind}`;
    if (!tried.has(key)) reads.set(key, kind);
  }
  return [...reads.values()].slice(0, MAX_CALLED_OWNERS);
}
