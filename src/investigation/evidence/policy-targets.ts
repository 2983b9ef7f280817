import type { EntityRef } from '../model.ts';
import { refKey } from '../model.ts';
import { asRecord, type CustomObject } from './custom-object.ts';
import type { EvidenceGraph } from './graph.ts';
import { matchesMap } from './labels.ts';
import type { ClusterSnapshot } from './snapshot.ts';

/**
 * Which workloads a policy object governs, read from its shape rather than from its kind's name. A mesh or a gateway
 * applies its authentication and authorization policies in the data plane in front of the pods they select:
 * - a label selector of pods in the policy's own namespace (`spec.selector.matchLabels`, `spec.podSelector.matchLabels`,
 *   or a bare `spec.selector` map);
 * - a reference by kind and name (`spec.targetRef`, `spec.targetRefs[]`) to what stands in front of those pods: a
 *   Service that selects them, a route whose backendRefs name such a Service, or another object of the namespace that
 *   selects them itself (a mesh's description of a server port: `spec.podSelector`);
 * - an object such a policy names by kind and name anywhere in its spec (an authentication it requires:
 *   `requiredAuthenticationRefs[]`) governs what the policy governs: the rule is split over the two.
 * A policy without either shape (a namespace's default, a broker's user) governs no workload by this reading.
 */
export function governedWorkloads(object: CustomObject, snapshot: ClusterSnapshot, graph: EvidenceGraph): EntityRef[] {
  const found = new Map<string, EntityRef>();
  const add = (refs: EntityRef[]) => {
    for (const ref of refs) found.set(refKey(ref), ref);
  };
  add(selectedWorkloads(object, snapshot, graph));
  // Policies of the namespace that name this object by kind and name: it governs what they select.
  const namespace = object.metadata?.namespace;
  for (const other of snapshot.customObjects) {
    if (other === object || other.metadata?.namespace !== namespace) continue;
    if (!namedRefs(other.spec).some((ref) => ref.kind === object.kind && ref.name === object.metadata?.name)) continue;
    add(selectedWorkloads(other, snapshot, graph));
  }
  return [...found.values()];
}

/** The workloads an object selects directly (its label selector) or through what its targetRef(s) name. */
function selectedWorkloads(
  object: CustomObject,
  snapshot: ClusterSnapshot,
  graph: EvidenceGraph,
  depth = 0,
): EntityRef[] {
  const namespace = object.metadata?.namespace;
  if (!namespace) return [];
  const spec = asRecord(object.spec);
  const selector = podSelectorOf(spec);
  const bySelector = selector ? workloadsSelected(namespace, selector, graph) : [];
  const targets = [spec.targetRef, ...(Array.isArray(spec.targetRefs) ? spec.targetRefs : [])]
    .map(asRecord)
    .filter((ref) => typeof ref.kind === 'string' && typeof ref.name === 'string') as { kind: string; name: string }[];
  const byTarget = targets.flatMap(({ kind, name }) => {
    if (kind === 'Service') return behindService(namespace, name, graph);
    const route = snapshot.httpRoutes.find((r) => r.metadata?.namespace === namespace && r.metadata?.name === name);
    if (/Route$/.test(kind) && route)
      return (route.spec?.rules ?? []).flatMap((rule) =>
        (rule.backendRefs ?? [])
          .filter((b) => (b.kind ?? 'Service') === 'Service')
          .flatMap((b) => behindService(b.namespace ?? namespace, b.name, graph)),
      );
    if (depth > 0) return [];
    const target = snapshot.customObjects.find(
      (o) => o.kind === kind && o.metadata?.namespace === namespace && o.metadata?.name === name,
    );
    return target ? selectedWorkloads(target, snapshot, graph, depth + 1) : [];
  });
  return [...bySelector, ...byTarget];
}

/** A label selector of pods as policies write it: `selector.matchLabels`, `podSelector.matchLabels`, a bare map. */
function podSelectorOf(spec: Record<string, unknown>): Record<string, string> | undefined {
  for (const key of ['selector', 'podSelector', 'workloadSelector']) {
    const field = asRecord(spec[key]);
    const labels = asRecord(field.matchLabels ?? field.labels ?? field);
    const entries = Object.entries(labels).filter(([, value]) => typeof value === 'string');
    if (entries.length > 0 && entries.length === Object.keys(labels).length)
      return Object.fromEntries(entries) as Record<string, string>;
  }
  return undefined;
}

function workloadsSelected(namespace: string, selector: Record<string, string>, graph: EvidenceGraph): EntityRef[] {
  return graph.workloads
    .filter(
      (w) =>
        w.ref.namespace === namespace &&
        w.ref.kind !== 'Pod' &&
        graph.podsOf(w.ref).some((pod) => matchesMap(pod.metadata?.labels, selector)),
    )
    .map((w) => w.ref);
}

function behindService(namespace: string, name: string, graph: EvidenceGraph): EntityRef[] {
  const service = graph.service(namespace, name);
  return service ? graph.workloadsBehind(service) : [];
}

/** Every `{kind, name}` pair a spec holds, at any depth: the objects it refers to. */
function namedRefs(value: unknown): { kind: string; name: string }[] {
  if (Array.isArray(value)) return value.flatMap(namedRefs);
  if (!value || typeof value !== 'object') return [];
  const record = value as Record<string, unknown>;
  const own =
    typeof record.kind === 'string' && typeof record.name === 'string'
      ? [{ kind: record.kind, name: record.name }]
      : [];
  return [...own, ...Object.values(record).flatMap(namedRefs)];
}

/** A workload identity as the pods' ServiceAccount gives it. */
export interface PodIdentity {
  namespace: string;
  serviceAccount: string;
}

/** Actions under which a policy's listed identities are refused, or merely logged: not an allow-list. */
const NOT_ALLOWING = /^(?:DENY|AUDIT|CUSTOM|Deny|Audit)$/;

/**
 * Whether a policy admits a caller: it allows (it says no action, or ALLOW) and one of its strings is the caller's
 * workload identity as meshes write it — `…/ns/<namespace>/sa/<account>` (SPIFFE ids, Istio's principals) or
 * `<account>.<namespace>.serviceaccount…` (Linkerd's identities). An allow-list that names the refused caller does not
 * refuse it: another rule does.
 */
export function admitsIdentity(object: CustomObject, callers: readonly PodIdentity[]): boolean {
  const spec = asRecord(object.spec);
  if (typeof spec.action === 'string' && NOT_ALLOWING.test(spec.action)) return false;
  const strings = specValues(object.spec);
  return callers.some(({ namespace, serviceAccount }) =>
    strings.some(
      (value) =>
        value.endsWith(`/ns/${namespace}/sa/${serviceAccount}`) ||
        value.startsWith(`${serviceAccount}.${namespace}.serviceaccount`),
    ),
  );
}

function specValues(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(specValues);
  if (value && typeof value === 'object') return Object.values(value).flatMap(specValues);
  return [];
}
