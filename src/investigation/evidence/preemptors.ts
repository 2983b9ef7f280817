import type { CustomObject } from './custom-object.ts';
import type { WantedList } from './custom-read-plan.ts';
import { owningWorkload } from '../focus.ts';
import type { EntityRef } from '../model.ts';
import { matchesMap } from './labels.ts';
import type { ClusterSnapshot } from './snapshot.ts';

/**
 * The scheduler evicts pods to make room for pods of higher priority and says so on the victim: `Preempted by pod
 * <uid> on node <node>` (Kubernetes ≥ 1.27) or `Preempted by <ns>/<name> on node <node>`. The preemptor's priority is
 * its PriorityClass's value, copied into the pod's `spec.priority` when the pod is admitted: a class whose value was
 * raised (or that was re-created with another value) gives the pods admitted since a priority their workload's older
 * pods do not have.
 */
export const PREEMPTED_BY = /Preempted by (?:pod )?(\S+?) on node (\S+)/;

type Pod = ClusterSnapshot['pods'][number];

/** The preemptor the message names, among the pods read: by uid, or by namespace/name. */
export function preemptorNamed(snapshot: ClusterSnapshot, named: string): Pod | undefined {
  return snapshot.pods.find(
    (pod) => pod.metadata?.uid === named || `${pod.metadata?.namespace}/${pod.metadata?.name}` === named,
  );
}

/**
 * The preemptions of the namespace's pods (`[preemptor, node]` of each message), those of the alerted symptom's pods
 * first: several workloads lost pods, and the one the alert is about says which preemptor matters.
 */
const preemptions = (snapshot: ClusterSnapshot, namespace: string, symptom: EntityRef | null = null) =>
  snapshot.events
    .filter((event) => event.reason === 'Preempted' && event.involvedObject?.namespace === namespace)
    .map((event) => ({ pod: event.involvedObject.name ?? '', match: PREEMPTED_BY.exec(event.message ?? '') }))
    .filter((found): found is { pod: string; match: RegExpExecArray } => found.match !== null)
    .sort((a, b) => Number(isSymptomPod(snapshot, b.pod, symptom)) - Number(isSymptomPod(snapshot, a.pod, symptom)))
    .map(({ match }) => match);

/**
 * Whether pod `name` (read or not: a preempted pod may be gone) is one of the alerted symptom's: the pod itself, a pod
 * its workload owns, or one its Service selects (by the pod's labels, or its workload's template's when it is gone).
 */
function isSymptomPod(snapshot: ClusterSnapshot, name: string, symptom: EntityRef | null): boolean {
  const namespace = symptom?.namespace;
  if (!symptom || !namespace) return false;
  if (symptom.kind === 'Pod') return symptom.name === name;
  const owner = owningWorkload(name, namespace, snapshot);
  if (symptom.kind !== 'Service') return owner?.kind === symptom.kind && owner.name === symptom.name;
  const inNamespace = <T extends { metadata?: { namespace?: string; name?: string } }>(list: T[], wanted?: string) =>
    list.find((item) => item.metadata?.namespace === namespace && item.metadata?.name === wanted);
  const selector = inNamespace(snapshot.services, symptom.name)?.spec?.selector;
  const workloads = [...snapshot.deployments, ...snapshot.statefulSets, ...snapshot.daemonSets];
  const labels =
    inNamespace(snapshot.pods, name)?.metadata?.labels ??
    inNamespace(workloads, owner?.name)?.spec?.template?.metadata?.labels;
  return matchesMap(labels, selector);
}

/**
 * Nodes where pods of the namespace were preempted by a pod not read (it runs in another namespace): the pods on that
 * node, cluster-wide, hold it — one request, where a list of every pod would be many. The alerted symptom's first.
 */
export function nodesOfUnreadPreemptors(
  snapshot: ClusterSnapshot,
  namespace: string,
  symptom: EntityRef | null = null,
): string[] {
  const nodes = preemptions(snapshot, namespace, symptom)
    .filter((match) => !preemptorNamed(snapshot, match[1] as string))
    .map((match) => match[2] as string);
  return [...new Set(nodes)];
}

/** Pods of the namespace were preempted: the PriorityClasses (cluster-scoped, few) say what gave the preemptor its rank. */
export function priorityClassLists(snapshot: ClusterSnapshot, namespace: string): WantedList[] {
  if (snapshot.customObjects.some((o) => o.kind === 'PriorityClass')) return [];
  if (preemptions(snapshot, namespace).length === 0) return [];
  const served = snapshot.apiGroups
    .find(({ group }) => group === 'scheduling.k8s.io')
    ?.resources?.find((r) => r.kind === 'PriorityClass');
  return [
    {
      resource: {
        group: 'scheduling.k8s.io',
        version: served?.version ?? 'v1',
        plural: 'priorityclasses',
        kind: 'PriorityClass',
      },
      why: `pods in ${namespace} were preempted: the priority classes that rank the preemptor above them`,
      relevance: 5,
    },
  ];
}

/** The PriorityClass of that name, when read. */
export const priorityClassNamed = (snapshot: ClusterSnapshot, name: string | undefined): CustomObject | undefined =>
  name ? snapshot.customObjects.find((o) => o.kind === 'PriorityClass' && o.metadata?.name === name) : undefined;
