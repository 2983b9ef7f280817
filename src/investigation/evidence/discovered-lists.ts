import { attachedPolicyKinds, routeControllers } from './attached-policies.ts';
import { anyOf, REFUSED, RESET, UPSTREAM_CONNECT } from './connection-failures.ts';
import { cniPolicyKinds } from './cni-policies.ts';
import { readyAddresses } from './endpoints.ts';
import { matchesMap } from './labels.ts';
import { answersClientError, looksLikeError } from './log-line.ts';
import { hasRestarted, isPodReady } from './pod-state.ts';
import type { WantedList } from './custom-read-plan.ts';
import { governingKinds, refusalsIn, RULE_WORDS } from './governing-resources.ts';
import { admissionPolicyKinds } from './admission-policies.ts';
import { peerNamespaces, podControllers } from './peer-namespaces.ts';
import type { ClusterSnapshot } from './snapshot.ts';
import { unplacedAddresses } from './unplaced-addresses.ts';
import { quotedPolicy, webhookRefusals } from './webhook-refusals.ts';

/**
 * What each reader of custom kinds chosen by their names in discovery wants listed, with how closely each kind
 * relates to the errors read (custom-read-plan.ts chooses among them within one cap). Relevance: a policy an admission
 * webhook's refusal quotes (4) over the rules of the software that refuses (up to 4) over the policies attached to the
 * routes in front of the symptom (2–3) and the network plugin's policies when calls time out (2), over a kind whose
 * name alone may hold such a rule (1).
 */

/** Kinds of policies listed when an admission webhook's refusal quotes the policy it applied. */
const MAX_POLICY_KINDS = 2;
/** Kinds of custom resources that may set the rule behind a dependency's refusals, each listed cluster-wide. */
const MAX_GOVERNING_KINDS = 4;
/** Kinds of policies a Gateway API implementation attaches to the routes in front of the symptom. */
const MAX_ATTACHED_POLICY_KINDS = 3;
/** Lists of the network plugin's own policies (kinds × namespaces) wanted when connections fail. */
const MAX_CNI_READS = 3;
/** Namespaces those are read in: the failing pods' own, and the one they call. */
const MAX_CNI_NAMESPACES = 2;

/**
 * A connection or call that timed out: a policy drops packets silently, so the callers it cuts off time out (a refused
 * connection or no endpoints is a server not listening, not a policy).
 */
export const CALL_TIMED_OUT = /timed? ?out|ETIMEDOUT|deadline exceeded/i;

type Pod = ClusterSnapshot['pods'][number];

/**
 * Pods an admission webhook refuses to create: the served kinds that may hold the rule it applied — those of its
 * engine (the API group shares the webhook's word) whose name the refusal says, or named …Policy, and when the refusal
 * quotes a policy, the served …Policy kinds (admission-policies.ts).
 */
export function quotedPolicyLists(snapshot: ClusterSnapshot, namespace: string): WantedList[] {
  const refusals = webhookRefusals(snapshot.events);
  if (refusals.length === 0) return [];
  const quoting = refusals.some(({ event }) => quotedPolicy(event.message ?? ''));
  const webhooks = [...new Set(refusals.map((refusal) => refusal.webhook))];
  const messages = refusals.map(({ event }) => event.message ?? '');
  const where = [...new Set(refusals.map(({ event }) => event.involvedObject?.namespace ?? namespace))];
  const why = `pods are not created: admission webhook ${webhooks.join(', ')} refuses them`;
  const kinds = admissionPolicyKinds(snapshot.apiGroups, webhooks, messages, quoting, MAX_POLICY_KINDS);
  return kinds.flatMap(({ namespaced, ...resource }) =>
    (namespaced ? where : [undefined]).map((ns) => ({
      resource,
      ...(ns ? { namespace: ns } : {}),
      why: `${why}: which ${resource.kind} refused them`,
      relevance: 4,
    })),
  );
}

/**
 * A dependency refuses the pods on its own authority (authorization denied, a limit reached, a body too large): the
 * rule is usually a custom resource an operator, a mesh or a gateway reconciles, listed in all namespaces — such rules
 * live where their operator keeps them (the mesh's or the broker's namespace) as often as beside the server they
 * govern. The software that refuses (its containers' names, its images' repositories) makes its own kinds the nearer.
 */
export function governingLists(snapshot: ClusterSnapshot, onPath: ReadonlySet<string | undefined>): WantedList[] {
  const refusedLogs = snapshot.logs.filter((log) => refusalsIn(log.lines).length > 0);
  const refusedAll = snapshot.pods.filter((pod) =>
    refusedLogs.some((log) => log.namespace === pod.metadata?.namespace && log.pod === pod.metadata?.name),
  );
  // A refusal logged off the symptom's path (another workload's run refused by some store) governs nothing it shows;
  // a workload read as one the alert speaks of (its words name it among others) is on it.
  const alerted = (pod: Pod) =>
    refusedLogs.some(
      (log) => log.alerted && log.namespace === pod.metadata?.namespace && log.pod === pod.metadata?.name,
    );
  const refused =
    onPath.size > 0 ? refusedAll.filter((pod) => onPath.has(pod.metadata?.uid) || alerted(pod)) : refusedAll;
  if (refused.length === 0) return [];
  const refusals = refusalsIn(
    refusedLogs
      .filter((log) =>
        refused.some((pod) => pod.metadata?.name === log.pod && pod.metadata?.namespace === log.namespace),
      )
      .flatMap((log) => log.lines),
  );
  const why = `the pods are refused (${refusals.join(', ')}) by what they call: the rules set on it`;
  return governingKinds(snapshot.apiGroups, refusals, MAX_GOVERNING_KINDS, refusingSide(refused)).map(
    ({ rank, ...resource }) => ({ resource, why: `${why} (${resource.kind})`, relevance: 1 + rank }),
  );
}

/**
 * What the refusing side runs (its containers' names, its images' repositories — not their registries' hosts), and
 * what the refused call: the hosts their settings address (`broker-0.queues.svc:5672`, a URL's host), named after the
 * software that answers there as often as not.
 */
function refusingSide(pods: readonly Pod[]): string[] {
  return pods.flatMap((pod) =>
    (pod.spec?.containers ?? []).flatMap((container) => [
      container.name,
      imageRepository(container.image ?? ''),
      ...(container.env ?? []).flatMap((variable) => addressedHost(variable.value ?? '')),
    ]),
  );
}

/** A dotted host name a setting addresses, bare (`host.ns.svc:5672`) or in a URL, without its port or path. */
const ADDRESSED_HOST = /^(?:[a-z][a-z0-9+.-]*:\/\/(?:[^@/]*@)?)?([a-z0-9-]+(?:\.[a-z0-9-]+)+)(?::\d+)?(?:\/\S*)?$/i;

function addressedHost(value: string): string[] {
  const host = ADDRESSED_HOST.exec(value.trim())?.[1];
  return host ? [host] : [];
}

/** An image's repository path without its registry host and tag: `quay.io/acme/broker:3.1` → `acme/broker`. */
function imageRepository(image: string): string {
  const parts = image.split('@')[0]?.split('/') ?? [];
  if (parts.length > 1 && /[.:]/.test(parts[0] ?? '')) parts.shift();
  return parts.join('/').replace(/:[^/]*$/, '');
}

/**
 * The routes in front of the symptom are accepted by a Gateway API implementation (their status names its
 * controller): its own policy kinds, attached to those routes or their Gateway (policy attachment), set what it does
 * to every request on them — a timeout, a body size, a rate, who may call — each listed in all namespaces. A kind
 * whose name says the refusal the errors show (a `…RateLimit…` for a limit) is the nearer. None is read when the
 * failure is below the routes (belowTheRoutes).
 */
export function attachedPolicyLists(
  snapshot: ClusterSnapshot,
  namespace: string,
  symptom: { name: string } | null | undefined,
  alert: { text: string; speaksOfTheEdge: boolean },
): WantedList[] {
  // With no symptom resolved, every route of the namespace is "in front": only an alert that speaks of the edge (an
  // HTTP answer, a gateway, a route) makes their policies worth a list.
  if (!symptom && !alert.speaksOfTheEdge) return [];
  const routes = snapshot.httpRoutes.filter(
    (route) =>
      route.metadata?.namespace === namespace &&
      (!symptom ||
        (route.spec?.rules ?? []).some((rule) => (rule.backendRefs ?? []).some((b) => b.name === symptom.name))),
  );
  if (routes.length === 0 || belowTheRoutes(snapshot, namespace, routes, alert.text)) return [];
  const refusals = refusalsIn(snapshot.logs.flatMap((log) => log.lines));
  const says = (kind: string) => refusals.some((refusal) => RULE_WORDS[refusal].test(kind.replace(/Policy$/, '')));
  const why = 'the routes in front of the symptom: the policies their Gateway implementation attaches to them';
  return attachedPolicyKinds(snapshot.apiGroups, routeControllers(routes), MAX_ATTACHED_POLICY_KINDS).map(
    (resource) => ({ resource, why: `${why} (${resource.kind})`, relevance: says(resource.kind) ? 3 : 2 }),
  );
}

/**
 * Connections time out in the logs read and the cluster's network plugin serves policies of its own (`…NetworkPolicy`
 * kinds): those where the failing pods run and where the Services they call run, and the clusterwide ones — a few
 * lists, read as NetworkPolicies (cni-policies.ts).
 */
export function cniPolicyLists(snapshot: ClusterSnapshot, namespace: string, erring: Pod[]): WantedList[] {
  const kinds = cniPolicyKinds(snapshot.apiGroups);
  const lines = snapshot.logs.flatMap((log) => log.lines);
  if (kinds.length === 0 || !lines.some((line) => CALL_TIMED_OUT.test(line))) return [];
  // Calls time out to an address no Service, pod or node read holds: whatever namespace it lives in is unknown, so the
  // policies are listed in every namespace (one list a kind) rather than in guessed ones.
  const unplaced = unplacedAddresses(
    lines.filter((line) => CALL_TIMED_OUT.test(line)),
    snapshot,
  );
  const where: (string | undefined)[] =
    unplaced.length > 0
      ? [undefined]
      : [namespace, ...peerNamespaces(erring, namespace, podControllers(snapshot))].slice(0, MAX_CNI_NAMESPACES);
  const why = "connections fail in the logs read: the network plugin's own policies";
  return kinds
    .flatMap(({ namespaced, ...resource }) =>
      (namespaced ? where : [undefined]).map((ns) => ({
        resource,
        ...(ns ? { namespace: ns } : {}),
        why: `${why} (${resource.kind})`,
        relevance: 2,
      })),
    )
    .slice(0, MAX_CNI_READS);
}

/**
 * What the edge says when it cannot connect to a backend. Not "no healthy upstream" (Envoy's UH): with ready
 * addresses behind the route (checked first), that is the edge's own health checks failing them, and a policy attached
 * to the route or Service sets those checks.
 */
const UNREACHABLE_BACKEND = anyOf(UPSTREAM_CONNECT, REFUSED, RESET);
/** Envoy's response flag for the same (upstream connection failure), as written: upper case. */
const UNREACHABLE_FLAG = /\bUF\b/;

/**
 * The failure happens below the routes, where no policy attached to them acts: every Service they send the symptom's
 * traffic to has no ready address (a policy shapes requests a serving backend gets; it removes no endpoint); or, with
 * no refusal or timeout in what the route's clients report (the answers such a policy gives), the alert says the edge
 * cannot connect to the backend, or the backend's own pods fail on their own — some not ready or restarted (their
 * probes, their exits), or logging errors (the requests reached them: the routes passed them).
 */
function belowTheRoutes(
  snapshot: ClusterSnapshot,
  namespace: string,
  routes: ClusterSnapshot['httpRoutes'],
  alertText: string,
): boolean {
  const backends = snapshot.services.filter(
    (service) =>
      service.metadata?.namespace === namespace &&
      routes.some((r) =>
        (r.spec?.rules ?? []).some((rule) => (rule.backendRefs ?? []).some((b) => b.name === service.metadata?.name)),
      ),
  );
  const endpoints = backends.map((service) =>
    snapshot.endpoints.find((e) => e.metadata?.namespace === namespace && e.metadata?.name === service.metadata?.name),
  );
  if (endpoints.length > 0 && endpoints.every((e) => e !== undefined && readyAddresses(e).length === 0)) return true;
  // Such answers reach the route's clients (the alert), not the backends' own calls further on.
  if (refusalsIn([alertText]).length > 0 || CALL_TIMED_OUT.test(alertText)) return false;
  const backendPods = snapshot.pods.filter(
    (pod) =>
      pod.metadata?.namespace === namespace &&
      backends.some((service) => service.spec?.selector && matchesMap(pod.metadata?.labels, service.spec.selector)),
  );
  if (backendPods.some((pod) => !isPodReady(pod) || hasRestarted(pod))) return true;
  const backendErring = snapshot.logs.some(
    (log) =>
      log.namespace === namespace &&
      backendPods.some((pod) => pod.metadata?.name === log.pod) &&
      log.lines.some((line) => looksLikeError(line) && !answersClientError(line)),
  );
  return backendErring || UNREACHABLE_BACKEND.test(alertText) || UNREACHABLE_FLAG.test(alertText);
}
