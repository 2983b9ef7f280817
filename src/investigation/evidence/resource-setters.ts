import type { CustomObject } from './custom-object.ts';
import type { WantedList } from './custom-read-plan.ts';
import type { EvidenceGraph } from './graph.ts';
import { hasRestarted, isPodReady } from './pod-state.ts';
import { parseQuantity } from './quantity.ts';
import type { ClusterSnapshot } from './snapshot.ts';
import { KIND_KEYS } from '../tools/kinds.ts';
import type { EntityRef } from '../model.ts';

/**
 * A pod runs with the resources its controller's template asks for, unless something set them when the pod was
 * admitted: an autoscaler that sizes pods (it evicts them and its admission webhook rewrites their requests and
 * limits), whose object names the workload in a reference of its own (`spec.targetRef`). Such a pod says so: its
 * container's requests or limits differ from the template's, and the setter marks it (an annotation of its own, an
 * event on the pods it evicted) with a word of its kind (its name, or its words' initials). The setting that fails the
 * pod — a memory limit it is killed at — is then that object's, not the workload's: raising the template's limit
 * changes nothing the pods run with.
 */

type Pod = ClusterSnapshot['pods'][number];
type Resources = { limits?: Record<string, string | number>; requests?: Record<string, string | number> };

/** One resource of a container that the pod runs with otherwise than its template says. */
export interface ResourceDrift {
  pod: Pod;
  container: string;
  /** `limits.memory`, `requests.cpu`… */
  field: string;
  onPod: string | undefined;
  inTemplate: string | undefined;
}

const FIELDS = ['limits', 'requests'] as const;

/** The resources of the pod's containers that differ from its workload's template (none when that was not read). */
export function resourceDrifts(graph: EvidenceGraph, pod: Pod): ResourceDrift[] {
  const workload = graph.workloadOf(pod);
  // Only against a template read: the spec of sibling pods says nothing of what the controller asks.
  const template = workload.kind === 'Pod' ? undefined : graph.workload(workload)?.template?.spec;
  if (!template) return [];
  const drifts: ResourceDrift[] = [];
  for (const container of pod.spec?.containers ?? []) {
    const asked = template.containers.find((c) => c.name === container.name);
    if (!asked) continue;
    const onPod = (container.resources ?? {}) as Resources;
    const inTemplate = (asked.resources ?? {}) as Resources;
    for (const field of FIELDS) {
      const names = new Set([...Object.keys(onPod[field] ?? {}), ...Object.keys(inTemplate[field] ?? {})]);
      for (const name of names) {
        const a = onPod[field]?.[name];
        const b = inTemplate[field]?.[name];
        if (parseQuantity(a) === parseQuantity(b)) continue;
        drifts.push({
          pod,
          container: container.name,
          field: `${field}.${name}`,
          onPod: a === undefined ? undefined : String(a),
          inTemplate: b === undefined ? undefined : String(b),
        });
      }
    }
  }
  return drifts;
}

/** The container's memory limit as its pod runs with it, where that differs from its template's. */
export const memoryLimitDrift = (graph: EvidenceGraph, pod: Pod, container: string): ResourceDrift | undefined =>
  resourceDrifts(graph, pod).find((d) => d.container === container && d.field === 'limits.memory');

/** Pods that fail: not ready, or restarted. */
const failing = (pod: Pod): boolean => !isPodReady(pod) || hasRestarted(pod);

/** The words of a name or key, camel case split (`vpaUpdates` → vpa, updates; `EvictedByVPA` → evicted, by, vpa). */
const wordsOf = (text: string): string[] =>
  text
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);

/** How a mark may name a kind: its name whole, or its words' initials when there are three or more. */
function kindWords(kind: string): string[] {
  const words = kind.split(/(?<=[a-z0-9])(?=[A-Z])/);
  const initials = words.map((word) => word[0]?.toLowerCase() ?? '').join('');
  return [kind.toLowerCase(), ...(initials.length >= 3 ? [initials] : [])];
}

/**
 * The words the pod's marks carry: its annotation keys, and the reasons and reporting components of events about the
 * pods of its controller (the ones evicted before it, which no longer exist, share its generated name's prefix).
 */
function markWords(snapshot: ClusterSnapshot, pod: Pod): Set<string> {
  const words = new Set(Object.keys(pod.metadata?.annotations ?? {}).flatMap(wordsOf));
  const prefix = pod.metadata?.generateName;
  const namespace = pod.metadata?.namespace;
  for (const event of snapshot.events) {
    const about = event.involvedObject;
    if (about?.kind !== 'Pod' || about.namespace !== namespace) continue;
    if (about.name !== pod.metadata?.name && !(prefix && about.name?.startsWith(prefix))) continue;
    for (const word of wordsOf(`${event.reason ?? ''} ${event.source?.component ?? ''}`)) words.add(word);
  }
  return words;
}

/** Kinds of setters listed, at most. */
const MAX_SETTER_KINDS = 2;

/**
 * Failing pods run with resources their template does not ask for, and their marks name a served kind the engine does
 * not read typed: that kind, in the pods' namespace (or cluster-wide) — the object that set the resources is one of
 * its objects, naming the workload.
 */
export function resourceSetterLists(snapshot: ClusterSnapshot, graph: EvidenceGraph): WantedList[] {
  const wanted = new Map<string, WantedList>();
  for (const pod of snapshot.pods.filter(failing)) {
    if (resourceDrifts(graph, pod).length === 0) continue;
    const words = markWords(snapshot, pod);
    const namespace = pod.metadata?.namespace ?? '';
    for (const { group, resources = [] } of snapshot.apiGroups) {
      for (const resource of resources) {
        if (resource.kind in KIND_KEYS || !kindWords(resource.kind).some((word) => words.has(word))) continue;
        const where = resource.namespaced ? namespace : undefined;
        const key = `${group}/${resource.kind}@${where ?? '*'}`;
        if (wanted.has(key) || wanted.size >= MAX_SETTER_KINDS) continue;
        wanted.set(key, {
          resource: { group, version: resource.version, plural: resource.plural, kind: resource.kind },
          ...(where ? { namespace: where } : {}),
          why: `failing pods run with resources their template does not ask for, marked by ${resource.kind}: which one set them`,
          relevance: 5,
        });
      }
    }
  }
  return [...wanted.values()];
}

type TargetRef = { kind?: unknown; name?: unknown };

/**
 * The custom objects read that name the workload as their target (`spec.targetRef`: kind and name, in its namespace):
 * those that may set what its pods run with. Autoscalers the engine reads typed are not custom objects, so never here.
 */
export function targetingObjects(snapshot: ClusterSnapshot, workload: EntityRef): CustomObject[] {
  return snapshot.customObjects.filter((object) => {
    if (object.metadata?.namespace !== workload.namespace) return false;
    const ref = (object.spec as { targetRef?: TargetRef } | undefined)?.targetRef;
    return ref?.kind === workload.kind && ref.name === workload.name;
  });
}
