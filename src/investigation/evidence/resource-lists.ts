import { mentionedNames } from '../focus.ts';
import { markingKinds, mutationMarks } from './admission-marks.ts';
import { configuredKinds, configuredNames } from './configured-objects.ts';
import { servedCustomKinds } from './custom-object.ts';
import { matchesMap } from './labels.ts';
import { erringLabelValues } from './metric-queries.ts';
import { hasRestarted, isPodReady } from './pod-state.ts';
import type { WantedList } from './custom-read-plan.ts';
import { isRouteKind, routesToService } from './route-kinds.ts';
import type { ClusterSnapshot } from './snapshot.ts';
import { kindsSpelledIn, refusedCreations } from './spelled-kinds.ts';
import { workloadsOf } from './workloads.ts';

/**
 * Lists of custom kinds that may hold the object behind a symptom, chosen through discovery by what the evidence read
 * says of them (discovered-lists.ts holds the readers of rules behind refusals, routes and network policies): the kind
 * a refusal to create pods spells, the kind of the software that mutated failing pods, a router's kinds beside the
 * route to the symptom, a kind a workload's setting is named after. Each says how closely it relates
 * (custom-read-plan.ts chooses within one cap).
 */

/** Kinds a refusal to create pods spells out, listed. */
const MAX_SPELLED_KINDS = 2;

/**
 * The API server refuses a controller's pods and its message spells the kind of the objects it checked them against
 * (spelled-kinds.ts): those objects, where the refused pods live (or cluster-wide, for a cluster-scoped kind) — the
 * refusal is stated, so they come first.
 */
export function spelledKindLists(snapshot: ClusterSnapshot, namespace: string): WantedList[] {
  const refusals = refusedCreations(snapshot.events);
  if (refusals.length === 0) return [];
  const messages = refusals.map((event) => event.message ?? '');
  const where = [...new Set(refusals.map((event) => event.involvedObject?.namespace ?? namespace))];
  return kindsSpelledIn(snapshot.apiGroups, messages, MAX_SPELLED_KINDS).flatMap(({ namespaced, ...resource }) =>
    (namespaced ? where : [undefined]).map((ns) => ({
      resource,
      ...(ns ? { namespace: ns } : {}),
      why: `pods are not created: the API server checks them against ${resource.kind} objects and refuses them`,
      relevance: 4,
    })),
  );
}

/** Kinds of the software that mutated failing pods at admission, listed. */
const MAX_MARKING_KINDS = 2;

/**
 * Failing pods carry the marks of a mutating admission rule (admission-marks.ts): the kinds of the software that left
 * them, where the pods live (or cluster-wide, for a cluster-scoped kind) — the rule it applied is one of their objects.
 */
export function mutationLists(snapshot: ClusterSnapshot): WantedList[] {
  const marks = mutationMarks(snapshot);
  if (marks.length === 0) return [];
  const where = [...new Set(marks.map((mark) => mark.pod.metadata?.namespace ?? ''))];
  return markingKinds(snapshot.apiGroups, marks, MAX_MARKING_KINDS).flatMap(({ namespaced, ...resource }) =>
    (namespaced ? where : [undefined]).map((ns) => ({
      resource,
      ...(ns ? { namespace: ns } : {}),
      why: `failing pods were changed at admission: which ${resource.kind} changed them`,
      relevance: 4,
    })),
  );
}

/** Kinds of a router, beside its routes, read where its routes send the symptom's traffic. */
const MAX_ROUTER_KINDS = 2;
/** What a router's kind that sets how it reaches a backend is called (its upstream, backend, destination settings). */
const BACKEND_KIND = /Upstream|Backend|Service|Destination|Target/;

/**
 * A router keeps its routes in custom resources of its own, and one read sends the symptom's traffic to the symptom's
 * Service: the router's other namespaced kinds (its API group's, through discovery) set how it reaches that backend —
 * the scheme, timeouts, retries, health checks — attached to the Service by its name or a reference: those named for
 * backends, in the namespace. Only while the backend serves on its own (every pod behind the Service ready, none
 * restarted): a backend that fails by itself explains the route's errors.
 */
export function routerKindLists(
  snapshot: ClusterSnapshot,
  namespace: string,
  symptom: { kind: string; name: string } | null | undefined,
): WantedList[] {
  if (symptom?.kind !== 'Service') return [];
  const routes = snapshot.customObjects.filter(
    (object) =>
      object.metadata?.namespace === namespace &&
      isRouteKind(object.kind) &&
      routesToService(object, { name: symptom.name, namespace }),
  );
  const groups = new Set(routes.map((route) => route.apiVersion.split('/')[0]));
  if (groups.size === 0 || !servesOnItsOwn(snapshot, namespace, symptom.name)) return [];
  return snapshot.apiGroups
    .filter(({ group }) => groups.has(group))
    .flatMap(({ group, resources = [] }) =>
      resources
        .filter((r) => r.namespaced && !isRouteKind(r.kind) && BACKEND_KIND.test(r.kind))
        .map((r) => ({ group, version: r.version, plural: r.plural, kind: r.kind })),
    )
    .slice(0, MAX_ROUTER_KINDS)
    .map((resource) => ({
      resource,
      namespace,
      why: `${routes[0]?.kind} ${routes[0]?.metadata?.name} routes to ${symptom.name}: how its router reaches it (${resource.kind})`,
      relevance: 2,
    }));
}

/** Kinds named by the workloads' settings, listed. */
const MAX_CONFIGURED_KINDS = 2;

/**
 * The namespace's workloads name objects in settings named after a served custom kind (configured-objects.ts), and
 * the alert or the error lines read name such an object: that kind, cluster-wide (an operator keeps its objects where
 * it runs, not beside their users) — the object the symptom is about is the one its workloads use.
 */
export function configuredObjectLists(snapshot: ClusterSnapshot, namespace: string, alertText: string): WantedList[] {
  const workloads = workloadsOf(snapshot)
    .filter((w) => w.ref.namespace === namespace && w.ref.kind !== 'Pod' && w.ref.kind !== 'ReplicaSet')
    .map((w) => ({ ref: w.ref, spec: w.template?.spec }));
  const errors = [
    ...snapshot.logs.filter((log) => log.namespace === namespace).flatMap((log) => log.lines),
    // A failure counter's labels name what failed as an error line would (`topic="ledger.entries"`).
    ...erringLabelValues(snapshot.metrics, namespace),
  ];
  const named = configuredNames(workloads).filter(
    (name) =>
      mentionedNames(alertText, [name.value]).length > 0 ||
      // The workload's own name in its errors is who speaks, not what it uses.
      (name.value !== name.workload.name && errors.some((line) => line.includes(name.value))),
  );
  if (named.length === 0) return [];
  return configuredKinds(snapshot.apiGroups, named, MAX_CONFIGURED_KINDS).map(
    ({ namespaced: _, names, ...resource }) => ({
      resource,
      why: `${names.map((n) => `${n.workload.name}'s ${n.setting}=${n.value}`).join(', ')}, which the symptom names: the ${resource.kind} of that name`,
      relevance: 3,
    }),
  );
}

/** Kinds that deliver traffic or events to a consumer, read where a silent symptom lives. */
const MAX_DELIVERY_KINDS = 2;
/**
 * What discovery calls a kind whose objects hand traffic or events to a Service: a trigger or subscription of an event
 * bus, a binding, a sink (never a product's name).
 */
const DELIVERY_KIND = /(?:Trigger|Subscription|Subscriber|Binding|Sink)$/;

/**
 * The symptom is a Service whose pods all run ready, never restarted, and log no error, nothing else of its namespace
 * fails, and the alert speaks of no answer at the edge (an error, a latency): nothing fails in it, it just receives
 * nothing. What hands it its work may: the kinds discovery names as delivering to consumers (an event bus's
 * triggers and subscriptions), in its namespace — their objects name the Service they deliver to.
 */
export function deliveryLists(
  snapshot: ClusterSnapshot,
  namespace: string,
  symptom: { kind: string; name: string } | null | undefined,
  alert: { speaksOfTheEdge: boolean },
): WantedList[] {
  if (symptom?.kind !== 'Service') return [];
  const service = snapshot.services.find(
    (s) => s.metadata?.namespace === namespace && s.metadata?.name === symptom.name,
  );
  const pods = snapshot.pods.filter(
    (pod) =>
      pod.metadata?.namespace === namespace &&
      service?.spec?.selector &&
      matchesMap(pod.metadata?.labels, service.spec.selector),
  );
  // Nothing in the namespace fails either: a pod that does (not ready, restarted, pending) is a lead of its own.
  const quiet = snapshot.pods
    .filter((pod) => pod.metadata?.namespace === namespace && pod.status?.phase !== 'Succeeded')
    .every((pod) => isPodReady(pod) && !hasRestarted(pod));
  const silent =
    !alert.speaksOfTheEdge &&
    quiet &&
    servesOnItsOwn(snapshot, namespace, symptom.name) &&
    !snapshot.logs.some(
      (log) =>
        log.namespace === namespace && log.lines.length > 0 && pods.some((pod) => pod.metadata?.name === log.pod),
    );
  if (!silent) return [];
  return servedCustomKinds(snapshot.apiGroups, (r) => r.namespaced && DELIVERY_KIND.test(r.kind))
    .slice(0, MAX_DELIVERY_KINDS)
    .map(({ group, version, plural, kind }) => ({
      resource: { group, version, plural, kind },
      namespace,
      why: `${symptom.name} runs and logs no error, yet the alert says it does not work: what delivers to it (${kind})`,
      relevance: 1,
    }));
}

/** Every pod behind the namespace's Service of that name runs ready and has never restarted (and there is one). */
function servesOnItsOwn(snapshot: ClusterSnapshot, namespace: string, name: string): boolean {
  const service = snapshot.services.find((s) => s.metadata?.namespace === namespace && s.metadata?.name === name);
  const selector = service?.spec?.selector;
  const pods = snapshot.pods.filter(
    (pod) => pod.metadata?.namespace === namespace && selector && matchesMap(pod.metadata?.labels, selector),
  );
  return pods.length > 0 && pods.every((pod) => isPodReady(pod) && !hasRestarted(pod));
}
