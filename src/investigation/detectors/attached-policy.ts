import { type PolicyTarget, policyTargets, routesReached } from '../evidence/attached-policies.ts';
import type { EvidenceGraph } from '../evidence/graph.ts';
import { refOf } from '../evidence/graph.ts';
import { serviceNameOf } from '../evidence/hosts.ts';
import { isRouteKind, routesToService } from '../evidence/route-kinds.ts';
import type { HTTPRoute } from '../evidence/routing-objects.ts';
import type { ClusterSnapshot } from '../evidence/snapshot.ts';
import { HOUR, lastChange, snapshotNow, toMs } from '../evidence/time.ts';
import type { EntityRef, Evidence, Finding } from '../model.ts';
import { refKey } from '../model.ts';
import { type Detector, finding } from './detector.ts';
import { looksLikeError } from '../evidence/log-line.ts';
import { rulesFelt } from '../evidence/traffic-rules.ts';
import { changeEvidence } from '../evidence/config-change.ts';

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
  /** Attached shortly before to a route in front of the victims: every request on it obeys it since. Circumstantial. */
  changedOnPath: 0.55,
} as const;

/** A policy changed longer before than this stood without harm. */
const NEAR = 3 * HOUR;

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
    const now = snapshotNow(snapshot);
    const errorText = snapshot.logs.flatMap((log) => log.lines).join('\n');
    const printed = new Set(durations(errorText));
    const findings: Finding[] = [];
    for (const { object, reached, onlyWhenFelt } of attachedObjects(snapshot, graph)) {
      const changedAt = lastChange(object.metadata);
      const at = toMs(changedAt);
      if (at === undefined || now - at > NEAR) continue;
      const { affects, via } = reached;
      const set = durations(JSON.stringify(object.spec ?? {}));
      const quoted = set.find((value) => printed.has(value));
      const rule = rulesFelt(object, feltBehind(affects, snapshot, graph, alert?.text ?? ''))[0];
      if (onlyWhenFelt && !rule) continue;
      const entity = refOf(object.kind, object.metadata);
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
          strength: quoted !== undefined ? STRENGTH.quotedNumber : rule ? STRENGTH.ruleFelt : STRENGTH.changedOnPath,
          summary: `${object.kind} ${entity.name}, attached to ${via} in front of ${affects[0]?.name}, changed at ${changedAt}: every request ${via.startsWith('Service') ? 'to that Service' : 'on that route'} obeys it since${quoted === undefined ? '' : `, and the ${quoted}s it sets is what the errors show`}${described}. To confirm: compare what it sets with what the ${via.startsWith('Service') ? 'Service' : 'route'} needs, and revert it there`,
          evidence,
          changedAt: changedAt as string,
        }),
      );
    }
    return findings;
  },
};

/**
 * How clients describe what they meet on the way to these workloads: the alert's words and the error lines of the pods
 * behind the object (not every log read: a proxy elsewhere timing out on another path says nothing of this one).
 */
function feltBehind(affects: EntityRef[], snapshot: ClusterSnapshot, graph: EvidenceGraph, alertText: string): string {
  const pods = new Set(
    affects.flatMap((ref) => graph.podsOf(ref).map((pod) => `${pod.metadata?.namespace}/${pod.metadata?.name}`)),
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
  const attached = policies.flatMap((object) => {
    const reached = reachedBy(object, snapshot, graph);
    return reached ? [{ object, reached, onlyWhenFelt: false }] : [];
  });
  const routes = [
    ...snapshot.ingresses.map((ingress) => ({
      object: { ...ingress, kind: 'Ingress' } as Attachable,
      backends: ingressBackends(ingress, graph),
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

/** The Services an Ingress's rules (and default backend) send to, and the workloads behind them. */
function ingressBackends(ingress: ClusterSnapshot['ingresses'][number], graph: EvidenceGraph): EntityRef[] {
  const namespace = ingress.metadata?.namespace ?? '';
  const names = [
    ingress.spec?.defaultBackend?.service?.name,
    ...(ingress.spec?.rules ?? []).flatMap((rule) => (rule.http?.paths ?? []).map((p) => p.backend?.service?.name)),
  ].filter((name): name is string => typeof name === 'string');
  const refs = new Map<string, EntityRef>();
  for (const name of new Set(names)) {
    const service = graph.service(namespace, name);
    if (!service) continue;
    for (const ref of [refOf('Service', service.metadata), ...graph.workloadsBehind(service)])
      refs.set(refKey(ref), ref);
  }
  return [...refs.values()];
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
