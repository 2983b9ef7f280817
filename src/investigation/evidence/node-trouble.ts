import { listObjects } from '../tools/list-objects.ts';
import type { ToolContext } from '../tools/tool.ts';
import type { Located } from './locate-namespace.ts';
import { WARNINGS } from './namespace-trouble.ts';
import type { ClusterSnapshot } from './snapshot.ts';
import { eventsReadWhole, type NarrowedList, narrowedFromWhole } from './whole-list.ts';

/** Where a node's trouble lives, if anywhere; and the cluster's Warning events read to find out (locating keeps them). */
export interface NodeTrouble {
  located?: Located;
  warnings: NarrowedList<'Event'>;
}

/**
 * Where the trouble of a node the alert names lives, when it names no namespace: a node is everyone's, and what keeps
 * it from its job (a drain that cannot evict, pods that cannot leave or start there) is said by Warning events about
 * the pods it runs, or by the node's own events naming them as `namespace/pod`. The namespace with most of them is the
 * one to examine (2 requests: the node's pods, the cluster's Warning events), and those events are kept as its evidence.
 * No namespace when none says anything. The Warning events are read whole when one page holds every event: the
 * namespace chosen then has its own events read already.
 */
export async function whereNodeTroubleIs(node: string, base: Omit<ToolContext, 'reason'>): Promise<NodeTrouble> {
  const reason = `the alert names node ${node} but no namespace: find whose pods there are in trouble`;
  const [pods, warnings] = await Promise.all([
    listObjects.run({ kind: 'Pod', fieldSelector: `spec.nodeName=${node}`, limit: 500 }, { ...base, reason }),
    narrowedFromWhole('Event', WARNINGS, 500, base, reason),
  ]);
  const requests = pods.requests + warnings.requests;
  const onNode = new Map(
    (pods.items as ClusterSnapshot['pods']).map((pod) => [
      `${pod.metadata?.namespace}/${pod.metadata?.name}`,
      pod.metadata?.namespace ?? '',
    ]),
  );
  const votes = new Map<string, number>();
  const said: ClusterSnapshot['events'] = [];
  for (const event of warnings.items as ClusterSnapshot['events']) {
    const involved = event.involvedObject ?? {};
    const namespaces =
      involved.kind === 'Pod'
        ? [onNode.get(`${involved.namespace}/${involved.name}`)]
        : involved.kind === 'Node' && involved.name === node
          ? [...onNode.keys()].filter((key) => (event.message ?? '').includes(key)).map((key) => onNode.get(key))
          : [];
    for (const namespace of namespaces) if (namespace) votes.set(namespace, (votes.get(namespace) ?? 0) + 1);
    if (namespaces.some(Boolean)) said.push(event);
  }
  const [namespace, count] = [...votes].sort((a, b) => b[1] - a[1])[0] ?? [];
  if (!namespace) return { warnings };
  const located: Located = {
    namespace,
    assumptions: [
      `namespace ${namespace}: the alert names node ${node}, and ${count} Warning events are about its pods there`,
    ],
    requests,
    // What they say stays evidence: a node's own events live outside the namespace the collection reads.
    refusals: said.filter(
      (event) => event.involvedObject?.kind === 'Node' || event.involvedObject?.namespace === namespace,
    ),
    ...eventsReadWhole(warnings),
  };
  return { located, warnings };
}
