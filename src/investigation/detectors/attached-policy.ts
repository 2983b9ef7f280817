import { type PolicyTarget, policyTargets, routesReached } from '../evidence/attached-policies.ts';
import type { EvidenceGraph } from '../evidence/graph.ts';
import { refOf } from '../evidence/graph.ts';
import { serviceNameOf } from '../evidence/hosts.ts';
import { isRouteKind, routesToService } from '../evidence/route-kinds.ts';
import type { HTTPRoute } from '../evidence/routing-objects.ts';
import type { ClusterSnapshot } from '../evidence/snapshot.ts';
import { lastChange, toMs } from '../evidence/time.ts';
import type { EntityRef, Evidence, Finding } from '../model.ts';
import { LOG_TEXT_LIMIT, refKey } from '../model.ts';
import { type Detector, finding } from './detector.ts';
import { looksLikeError } from '../evidence/log-line.ts';
import { rulesFelt } from '../evidence/traffic-rules.ts';
import { changeEvidence } from '../evidence/config-change.ts';
import { type NamedPolicy, namedPolicies, routeBackends } from '../evidence/route-policies.ts';
import { edgeProxyLines } from '../evidence/edge-proxy.ts';
import { CHANGE_WINDOW, SUSPECT_CHANGE_WINDOW, changedBeforeOnset, symptomOnset } from '../evidence/onset.ts';

/** How sure a finding is (the scale: detectors/detector.ts). */
const STRENGTH = {
  /**
   * Attached shortly before to a route in front of the victims, and a number it sets (a timeout, a size) is the one
   * their errors show: the rule they hit.
   */
  quotedNumber: 0.75,
  /**
   * The same, and the rule it sets is of the kind the clients describe meeting (an address allowlist and connections
   * reset, a rate limit and 429s): the rule they hit.
   */
  ruleFelt: 0.75,
  /**
   * The same, and the edge proxy that applies it answers the requests the way that rule does (429 of a rate limit, 401
   * of an auth rule, x509 of the upstream TLS): the proxy itself reports the rule biting.
   */
  ruleFeltAtEdge: 0.85,
  /**
   * A path it sets (a health check's request path) is one the backends behind it log as not served ("No mapping for
   * GET /x", GET /x answered 404): the load balancer probes or sends there, and finds nothing.
   */
  unservedPath: 0.8,
  /** Attached shortly before to a route in front of the victims: every request on it obeys it since. Circumstantial. */
  changedOnPath: 0.55,
} as const;

// A policy changed longer before than this stood without harm.
const NEAR = CHANGE_WINDOW;
/** ... unless a path it sets is one its backends log as not served: the evidence ties it, within the suspect window. */
const NEAR_WHEN_UNSERVED = SUSPECT_CHANGE_WINDOW;

/** A duration as policies write it (`3s`, `250ms`, `1m`) or logs print it (`3.00s`, `after 3s`). */
const DURATION = /\b(\d+(?:\.\d+)?)\s?(ms|s|m)\b/g;

const seconds = (value: string, unit: string): number =>
  Number(value) * (unit === 'ms' ? 0.001 : unit === 'm' ? 60 : 1);

function durations(text: string): number[] {
  return [...text.matchAll(DURATION)].map((m) => seconds(m[1] as string, m[2] as string)).filter((n) => n > 0);
}

/**
 * A policy of a Gateway API implementation attached (targetRef/targetRefs) to a route in front of the victims, or to
 * the Gateway that route is attached to, changed shortly before: it sets what the proxy does to every request on the
 * route (a timeout, a body size, a rate, who may call), with nothing changed in the victims. A duration it sets that
 * the victims' error lines print (a 3s timeout, clients aborting after 3.00s) ties it to them. The catalogue has no
 * type for it: other.
 */
export const attachedPolicy: Detector = {
  id: 'attached-policy',
  faultTypes: ['other'],
  detect(snapshot, graph, alert) {
    const onset = symptomOnset(snapshot, alert?.startsAt);
    const errorText = snapshot.logs.flatMap((log) => log.lines).join('\n');
    const printed = new Set(durations(errorText));
    // What the proxy in front answered is the same for every policy: read it once, not once per policy.
    const proxyText = edgeProxyLines(snapshot).join('\n');
    const findings: Finding[] = [];
    for (const { object, reached, onlyWhenFelt } of attachedObjects(snapshot, graph)) {
      const changedAt = lastChange(object.metadata);
      const at = toMs(changedAt);
      const { affects, via } = reached;
      const unserved = onlyWhenFelt ? undefined : unservedPath(object, linesBehind(affects, snapshot, graph));
      if (!changedBeforeOnset(at, onset, unserved ? NEAR_WHEN_UNSERVED : NEAR)) continue;
      const set = durations(JSON.stringify(object.spec ?? {}));
      const quoted = set.find((value) => printed.has(value));
      const atEdge = rulesFelt(object, proxyText)[0];
      const felt = feltBehind(affects, snapshot, graph, alert?.text ?? '', object.kind === 'DestinationRule');
      const rule = atEdge ?? rulesFelt(object, felt)[0];
      if (onlyWhenFelt && !rule) continue;
      const entity = refOf(object.kind, object.metadata);
      if (unserved) {
        findings.push(unservedFinding(object, entity, changedAt as string, via, affects, unserved));
        continue;
      }
      const evidence: Evidence[] = [
        changeEvidence(entity, changedAt as string, 'last changed'),
        ...(rule ? [{ source: 'spec' as const, ref: entity, text: `${rule.rule}: ${rule.setting}` }] : []),
      ];
      const described =
        rule && quoted === undefined
          ? `, and it sets ${/^[aeiou]/.test(rule.rule) ? 'an' : 'a'} ${rule.rule} (${rule.setting}), which is what the clients describe meeting`
          : '';
      findings.push(
        finding(attachedPolicy, {
          entity,
          affects,
          strength: strengthOf(quoted !== undefined, rule, atEdge),
          summary: `${object.kind} ${entity.name}, attached to ${via} in front of ${affects[0]?.name}, changed at ${changedAt}: every request ${via.startsWith('Service') ? 'to that Service' : 'on that route'} obeys it since${quoted === undefined ? '' : `, and the ${quoted}s it sets is what the errors show`}${described}. To confirm: compare what it sets with what the ${via.startsWith('Service') ? 'Service' : 'route'} needs, and revert it there`,
          evidence,
          changedAt: changedAt as string,
        }),
      );
    }
    return findings;
  },
};

/** How sure: a number the errors quote, the edge proxy answering as its rule does, clients meeting its rule, or none. */
function strengthOf(quoted: boolean, rule: object | undefined, atEdge: object | undefined): number {
  if (quoted) return STRENGTH.quotedNumber;
  if (atEdge) return STRENGTH.ruleFeltAtEdge;
  return rule ? STRENGTH.ruleFelt : STRENGTH.changedOnPath;
}

/** A path a policy's spec sets (a key named path, a value that is one), and the backends' line saying it is not served. */
interface UnservedPath {
  key: string;
  path: string;
  line: string;
}

/** Requests for a path a server has no handler for, as frameworks and access logs print them. */
const NOT_SERVED = (path: string) =>
  new RegExp(
    `no mapping for (?:GET|HEAD|POST) ${literal(path)}(?![\\w/-])|"(?:GET|HEAD) ${literal(path)}(?:\\?\\S*)? HTTP\\/[\\d.]+" 404\\b|\\b(?:GET|HEAD) ${literal(path)} 404\\b`,
    'i',
  );

const literal = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The first path the policy's spec sets that the lines show not served. */
function unservedPath(object: Attachable, lines: string[]): UnservedPath | undefined {
  const paths: { key: string; path: string }[] = [];
  const visit = (value: unknown, key: string): void => {
    if (typeof value === 'string' && /path/i.test(key) && /^\/[\w./-]*$/.test(value) && value !== '/')
      paths.push({ key, path: value });
    else if (Array.isArray(value)) for (const item of value) visit(item, key);
    else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) visit(v, k);
  };
  visit(object.spec, '');
  for (const { key, path } of paths) {
    const pattern = NOT_SERVED(path);
    const line = lines.find((l) => pattern.test(l));
    if (line) return { key, path, line };
  }
  return undefined;
}

/** The policy that sends the load balancer's probes or requests to a path its backends do not serve. */
function unservedFinding(
  object: Attachable,
  entity: EntityRef,
  changedAt: string,
  via: string,
  affects: EntityRef[],
  unserved: UnservedPath,
): Finding {
  const backend = affects.find((ref) => ref.kind !== 'Service') ?? affects[0];
  return finding(attachedPolicy, {
    entity,
    affects,
    strength: STRENGTH.unservedPath,
    summary: `${object.kind} ${entity.name}, attached to ${via}, changed at ${changedAt}, sets ${unserved.key} ${unserved.path}, which ${backend?.name ?? 'its backends'} does not serve: what it checks or sends there fails on every backend. To confirm: set it to a path they serve, or revert it`,
    evidence: [
      changeEvidence(entity, changedAt, 'last changed'),
      { source: 'spec', ref: entity, text: `${unserved.key}: ${unserved.path}` },
      { source: 'log', ref: backend ?? entity, text: unserved.line.slice(0, LOG_TEXT_LIMIT) },
    ],
    changedAt,
  });
}

/** Every line read from the pods behind the object. */
function linesBehind(affects: EntityRef[], snapshot: ClusterSnapshot, graph: EvidenceGraph): string[] {
  const pods = new Set(
    affects.flatMap((ref) => graph.podsOf(ref).map((pod) => `${pod.metadata?.namespace}/${pod.metadata?.name}`)),
  );
  return snapshot.logs.filter((log) => pods.has(`${log.namespace}/${log.pod}`)).flatMap((log) => log.lines);
}

/**
 * How clients describe what they meet on the way to these workloads: the alert's words and the error lines of the pods
 * behind the object — and, for a rule the callers' proxies apply, of the callers' pods (not every log read: a proxy
 * elsewhere timing out on another path says nothing of this one).
 */
function feltBehind(
  affects: EntityRef[],
  snapshot: ClusterSnapshot,
  graph: EvidenceGraph,
  alertText: string,
  clientSide = false,
): string {
  // A mesh's destination rule is applied by the callers' proxies: its bite shows in their lines, not the backend's.
  const services = new Set(affects.filter((ref) => ref.kind === 'Service').map(refKey));
  const callers = clientSide
    ? graph.workloads
        .filter((w) => graph.dependenciesOf(w.ref).some((edge) => services.has(refKey(edge.to))))
        .map((w) => w.ref)
    : [];
  const pods = new Set(
    [...affects, ...callers].flatMap((ref) =>
      graph.podsOf(ref).map((pod) => `${pod.metadata?.namespace}/${pod.metadata?.name}`),
    ),
  );
  const lines = snapshot.logs
    .filter((log) => pods.has(`${log.namespace}/${log.pod}`))
    .flatMap((log) => log.lines)
    .filter(looksLikeError);
  return [alertText, ...lines].join('\n');
}

type Attachable = {
  apiVersion?: string;
  kind: string;
  spec?: unknown;
  metadata?: { name?: string; namespace?: string; annotations?: Record<string, string> };
};
type Reached = { affects: EntityRef[]; via: string };

/**
 * The objects that set rules for the traffic to Services read, with what they reach: policies and a router's own
 * objects (custom resources, destination rules), and the built-in routes (Ingresses, Gateway API HTTPRoutes) — those
 * only when a rule they set is one the clients describe meeting, since their other changes (a path, a host) have
 * detectors of their own.
 */
function attachedObjects(
  snapshot: ClusterSnapshot,
  graph: EvidenceGraph,
): { object: Attachable; reached: Reached; onlyWhenFelt: boolean }[] {
  const policies: Attachable[] = [
    ...snapshot.customObjects,
    ...snapshot.destinationRules.map((rule) => ({ ...rule, kind: 'DestinationRule' })),
  ];
  const named = namedPolicies(snapshot);
  const attached = policies.flatMap((object) => {
    const reached = reachedBy(object, snapshot, graph) ?? namedByRoute(object, named, snapshot, graph);
    return reached ? [{ object, reached, onlyWhenFelt: false }] : [];
  });
  const routes = [
    ...snapshot.ingresses.map((ingress) => ({
      object: { ...ingress, kind: 'Ingress' } as Attachable,
      backends: routeBackends(refOf('Ingress', ingress.metadata), snapshot, graph),
    })),
    ...snapshot.httpRoutes.map((route) => ({
      object: { ...route, kind: route.kind ?? 'HTTPRoute' } as Attachable,
      backends: backendsOf([route], graph),
    })),
  ];
  for (const { object, backends } of routes) {
    if (backends.length === 0) continue;
    const via = `Service ${backends[0]?.namespace}/${backends[0]?.name}`;
    attached.push({ object, reached: { affects: backends, via }, onlyWhenFelt: true });
  }
  return attached;
}

/** A policy a routing object names (route-policies.ts): it acts on the requests of that route's backends. */
function namedByRoute(
  object: Attachable,
  named: NamedPolicy[],
  snapshot: ClusterSnapshot,
  graph: EvidenceGraph,
): Reached | undefined {
  const by = named.find(
    (n) =>
      n.object.kind === object.kind &&
      refKey(refOf(n.object.kind, n.object.metadata)) === refKey(refOf(object.kind, object.metadata)),
  );
  if (!by) return undefined;
  const affects = routeBackends(by.route, snapshot, graph, by.scope);
  return affects.length > 0 ? { affects, via: `${by.route.kind} ${by.route.namespace}/${by.route.name}` } : undefined;
}

/**
 * What a policy sets traffic rules for, and the Services and workloads behind it: routes it targets (or the routes of a
 * Gateway it targets), a Service it targets, or — a mesh's destination rule — the Service its host names, when it sets
 * a traffic policy (connection pool, circuit breaking, TLS to the upstream) and not only subsets.
 */
function reachedBy(object: Attachable, snapshot: ClusterSnapshot, graph: EvidenceGraph): Reached | undefined {
  const targets = policyTargets(object as Parameters<typeof policyTargets>[0]);
  const routes = targets.flatMap((target) => routesReached(target, snapshot.httpRoutes));
  const backends = backendsOf(routes, graph);
  const route = routes[0];
  if (route && backends.length > 0)
    return {
      affects: backends,
      via: `${route.kind ?? 'HTTPRoute'} ${route.metadata?.namespace}/${route.metadata?.name}`,
    };
  const namespace = object.metadata?.namespace ?? '';
  const spec = (object.spec ?? {}) as { host?: unknown; trafficPolicy?: unknown };
  const host =
    object.kind === 'DestinationRule' && typeof spec.host === 'string' && spec.trafficPolicy && !spec.host.includes('*')
      ? serviceNameOf(spec.host, namespace)
      : undefined;
  const hosted = host ? [{ kind: 'Service', ...host }] : [];
  for (const target of [...targets, ...hosted, ...attachedByName(object, snapshot), ...serviceRefs(object)]) {
    if (target.kind !== 'Service') continue;
    const service = graph.service(target.namespace, target.name);
    if (!service) continue;
    return {
      affects: [refOf('Service', service.metadata), ...graph.workloadsBehind(service)],
      via: `Service ${target.namespace}/${target.name}`,
    };
  }
  return undefined;
}

/**
 * A router's object attached to a Service by that Service's name (its upstream settings named like the Service), as
 * the router's own routes show: a route of the same API group, in the same namespace, sends traffic to that Service.
 * (A route is not its own attachment.)
 */
function attachedByName(
  object: { apiVersion?: string; kind: string; metadata?: { name?: string; namespace?: string } },
  snapshot: ClusterSnapshot,
): { kind: string; namespace: string; name: string }[] {
  const name = object.metadata?.name ?? '';
  const namespace = object.metadata?.namespace ?? '';
  const group = object.apiVersion?.split('/')[0];
  if (!group || isRouteKind(object.kind)) return [];
  const routed = snapshot.customObjects.some(
    (route) =>
      route.metadata?.namespace === namespace &&
      route.apiVersion.split('/')[0] === group &&
      isRouteKind(route.kind) &&
      routesToService(route, { name, namespace }),
  );
  return routed ? [{ kind: 'Service', namespace, name }] : [];
}

/**
 * Services an object's spec refers to by a typed reference anywhere in it (`{ kind: Service, name }`: an event
 * trigger's subscriber, a binding's sink), in the object's namespace unless the reference names another.
 */
function serviceRefs(object: { spec?: unknown; metadata?: { namespace?: string } }): PolicyTarget[] {
  const own = object.metadata?.namespace ?? '';
  const found: PolicyTarget[] = [];
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) value.forEach(visit);
    else if (value && typeof value === 'object') {
      const ref = value as { kind?: unknown; name?: unknown; namespace?: unknown; apiVersion?: unknown };
      if (ref.kind === 'Service' && typeof ref.name === 'string' && (ref.apiVersion ?? 'v1') === 'v1')
        found.push({
          kind: 'Service',
          name: ref.name,
          namespace: typeof ref.namespace === 'string' ? ref.namespace : own,
        });
      Object.values(value).forEach(visit);
    }
  };
  visit(object.spec);
  return found;
}

/** The Services the routes send to, and the workloads behind them. */
function backendsOf(routes: HTTPRoute[], graph: EvidenceGraph): EntityRef[] {
  const refs = new Map<string, EntityRef>();
  for (const route of routes)
    for (const rule of route.spec?.rules ?? [])
      for (const backend of rule.backendRefs ?? []) {
        if ((backend.kind ?? 'Service') !== 'Service') continue;
        const service = graph.service(backend.namespace ?? route.metadata?.namespace ?? '', backend.name);
        if (!service) continue;
        for (const ref of [refOf('Service', service.metadata), ...graph.workloadsBehind(service)])
          refs.set(refKey(ref), ref);
      }
  return [...refs.values()];
}
