import type { EvidenceGraph } from '../evidence/graph.ts';
import { changeEvidence } from '../evidence/config-change.ts';
import { refOf } from '../evidence/graph.ts';
import { formatLabels, matchesMap } from '../evidence/labels.ts';
import { serviceNameOf } from '../evidence/hosts.ts';
import type { DestinationRule, MeshHttpRoute, VirtualService } from '../evidence/routing-objects.ts';
import type { ClusterSnapshot } from '../evidence/snapshot.ts';
import { lastChange, toMs } from '../evidence/time.ts';
import type { EntityRef, Evidence, Finding } from '../model.ts';
import { type Detector, finding } from './detector.ts';

/** How sure a finding is (the scale: detectors/detector.ts). */
const STRENGTH = {
  /** A fault injected into every caller's calls: from this, up to `injectionPerFullShare` more as the share nears 100%. */
  injection: 0.6,
  injectionPerFullShare: 0.35,
  /** A fault injected only into requests matching one route: it may be a test nobody else meets. */
  scopedInjection: 0.35,
  /** A route to a host no Service serves (its namespace read): the mesh has no upstream and answers 503. */
  noService: 0.8,
  /** A route to a subset no DestinationRule defines, or whose labels select none of the Service's pods. */
  noSubset: 0.85,
} as const;

/**
 * Service-mesh routing that breaks calls before they reach healthy pods (Istio semantics):
 * - a VirtualService route that injects faults (`fault.abort`, `fault.delay`) into real traffic: the callers' proxies
 *   fail the call themselves, the destination's pods stay idle. A route without `match` hits every request, so it is
 *   strong evidence; one limited to a header or user is a test that rarely explains a broad alert.
 * - a route to a host no Service serves, to a subset no DestinationRule defines, or to a subset whose labels select no
 *   pod of the host's Service: the proxy has no upstream and answers 503.
 * The catalogue has no fault type for mesh routing: `other`, with the routing object as the entity.
 */
export const meshRouting: Detector = {
  id: 'mesh-routing',
  faultTypes: ['other'],
  detect(snapshot, graph) {
    const findings: Finding[] = [];
    for (const vs of snapshot.virtualServices) {
      const namespace = vs.metadata?.namespace ?? '';
      const ref = refOf('VirtualService', vs.metadata);
      const changedAt = lastChange(vs.metadata);
      const targets = hostsOf(vs).flatMap((host) => serviceRefs(graph, host, namespace));
      for (const [index, route] of (vs.spec?.http ?? []).entries()) {
        const injected = injectedFault(route);
        if (injected) {
          findings.push(
            finding(meshRouting, {
              entity: ref,
              affects: dedupe([
                ...targets,
                ...destinations(route).flatMap((d) => serviceRefs(graph, d.host, namespace)),
              ]),
              strength: injected.scoped
                ? STRENGTH.scopedInjection
                : STRENGTH.injection + STRENGTH.injectionPerFullShare * Math.min(1, injected.percent / 100),
              summary: `VirtualService ${ref.name} injects ${injected.what} into ${injected.percent}% of the calls to ${hostsOf(vs).join(', ')}${injected.scoped ? ' (only requests matching its route)' : ', every caller included'}: ${injected.abort ? "the callers' proxies fail the calls themselves, the destination's pods never see them" : "the callers' proxies hold every call before sending it on"}`,
              evidence: [
                {
                  source: 'spec',
                  ref,
                  text: `http[${index}]${route.name ? ` (${route.name})` : ''} fault: ${JSON.stringify(route.fault)}${route.match ? `; match: ${JSON.stringify(route.match).slice(0, 120)}` : '; no match: all requests'}`,
                },
                ...(changedAt ? [changeEvidence(ref, changedAt)] : []),
              ],
              ...(changedAt ? { changedAt } : {}),
            }),
          );
        }
        for (const destination of destinations(route)) {
          const broken = brokenDestination(snapshot, graph, vs, destination);
          if (broken) findings.push(broken);
        }
      }
    }
    return dedupeFindings(findings);
  },
};

type Destination = NonNullable<MeshHttpRoute['route']>[number]['destination'];

const hostsOf = (vs: VirtualService): string[] => vs.spec?.hosts ?? [];
const destinations = (route: MeshHttpRoute): Destination[] => (route.route ?? []).map((r) => r.destination);

function injectedFault(
  route: MeshHttpRoute,
): { what: string; percent: number; scoped: boolean; abort: boolean } | undefined {
  const { abort, delay } = route.fault ?? {};
  const scoped = (route.match ?? []).length > 0;
  // An absent percentage means every request (Istio's default); `percent` is the deprecated integer form.
  if (abort) {
    const percent = abort.percentage?.value ?? 100;
    const status = abort.httpStatus ? `HTTP ${abort.httpStatus}` : abort.grpcStatus ? `gRPC ${abort.grpcStatus}` : 'an';
    if (percent > 0) return { what: `${status} aborts`, percent, scoped, abort: true };
  }
  if (delay) {
    const percent = delay.percentage?.value ?? delay.percent ?? 100;
    if (percent > 0) return { what: `delays of ${delay.fixedDelay ?? 'some time'}`, percent, scoped, abort: false };
  }
  return undefined;
}

/** The Service a mesh host names (`reviews`, `reviews.shop`, `reviews.shop.svc.cluster.local`); none for `*` hosts. */
const meshHostService = (host: string, namespace: string) =>
  host.includes('*') ? undefined : serviceNameOf(host, namespace);

/** The Service a mesh host names and the workloads behind it. */
function serviceRefs(graph: EvidenceGraph, host: string, namespace: string): EntityRef[] {
  const named = meshHostService(host, namespace);
  const service = named && graph.service(named.namespace, named.name);
  return service ? [refOf('Service', service.metadata), ...graph.workloadsBehind(service)] : [];
}

function brokenDestination(
  snapshot: ClusterSnapshot,
  graph: EvidenceGraph,
  vs: VirtualService,
  destination: Destination,
): Finding | undefined {
  const namespace = vs.metadata?.namespace ?? '';
  const vsRef = refOf('VirtualService', vs.metadata);
  const named = meshHostService(destination.host, namespace);
  // Hosts outside the cluster (a ServiceEntry's) are not Services: nothing to check here.
  if (!named) return undefined;
  const service = graph.service(named.namespace, named.name);
  // Another namespace's Services are only known when that namespace was read.
  const namespaceRead = snapshot.services.some((s) => s.metadata?.namespace === named.namespace);
  if (!service) {
    if (!namespaceRead) return undefined;
    return meshFinding(
      vsRef,
      vs,
      [],
      `routes to ${destination.host}, which no Service serves`,
      STRENGTH.noService,
      vsRef,
    );
  }
  const affects = [refOf('Service', service.metadata), ...graph.workloadsBehind(service)];
  if (!destination.subset) return undefined;
  const rules = snapshot.destinationRules.filter((dr) => {
    const host = dr.spec?.host && meshHostService(dr.spec.host, dr.metadata?.namespace ?? '');
    return host && host.namespace === named.namespace && host.name === named.name;
  });
  const subset = rules
    .flatMap((dr) => (dr.spec?.subsets ?? []).map((s) => ({ dr, s })))
    .find(({ s }) => s.name === destination.subset);
  if (!subset) {
    return meshFinding(
      vsRef,
      vs,
      affects,
      `routes ${destination.host} to subset ${destination.subset}, which no DestinationRule for that host defines${rules.length > 0 ? ` (${rules.map((r) => r.metadata?.name).join(', ')} define ${rules.flatMap((r) => (r.spec?.subsets ?? []).map((s) => s.name)).join(', ') || 'none'})` : ''}`,
      STRENGTH.noSubset,
      vsRef,
    );
  }
  const pods = graph.podsSelectedBy(service);
  if (pods.length === 0 || pods.some((pod) => matchesMap(pod.metadata?.labels, subset.s.labels ?? {})))
    return undefined;
  const drRef = refOf('DestinationRule', subset.dr.metadata);
  // The routing object edited last broke the pairing; the DestinationRule holds the labels when neither changed.
  const culprit = (toMs(lastChange(vs.metadata)) ?? 0) > (toMs(lastChange(subset.dr.metadata)) ?? 0) ? vsRef : drRef;
  const carried = [...new Set(pods.map((pod) => formatLabels(pod.metadata?.labels)))].slice(0, 2).join('; ');
  return meshFinding(
    culprit,
    culprit === vsRef ? vs : subset.dr,
    affects,
    `${culprit === vsRef ? `routes ${destination.host} to subset ${destination.subset}` : `defines subset ${destination.subset} of ${destination.host}`}, whose labels ${formatLabels(subset.s.labels)} select none of the Service's pods (they carry ${carried})`,
    STRENGTH.noSubset,
    vsRef,
  );
}

function meshFinding(
  ref: EntityRef,
  object: VirtualService | DestinationRule,
  affects: EntityRef[],
  what: string,
  strength: number,
  route: EntityRef,
): Finding {
  const changedAt = lastChange(object.metadata);
  const evidence: Evidence[] = [{ source: 'spec', ref: route, text: `${route.kind} ${route.name} ${what}` }];
  if (changedAt) evidence.push(changeEvidence(ref, changedAt));
  return finding(meshRouting, {
    entity: ref,
    affects,
    strength,
    summary: `${ref.kind} ${ref.name}: ${route.kind === ref.kind ? '' : `${route.kind} ${route.name} `}${what}: the mesh has no upstream for those calls and answers 503`,
    evidence,
    ...(changedAt ? { changedAt } : {}),
  });
}

const dedupe = (refs: EntityRef[]): EntityRef[] => [
  ...new Map(refs.map((r) => [`${r.kind}/${r.namespace}/${r.name}`, r])).values(),
];

/** One finding per entity and story: the strongest. */
function dedupeFindings(findings: Finding[]): Finding[] {
  const best = new Map<string, Finding>();
  for (const found of findings) {
    const key = `${found.entity.kind}/${found.entity.namespace}/${found.entity.name}|${found.summary}`;
    const held = best.get(key);
    if (!held || held.strength < found.strength) best.set(key, found);
  }
  return [...best.values()];
}
