import { backendServices } from '../evidence/backend-services.ts';
import { changeEvidence } from '../evidence/config-change.ts';
import { isBackendKind } from '../evidence/route-kinds.ts';
import type { EvidenceGraph, Service } from '../evidence/graph.ts';
import { refOf } from '../evidence/graph.ts';
import type { ClusterSnapshot } from '../evidence/snapshot.ts';
import { lastChange } from '../evidence/time.ts';
import type { EntityRef, Evidence, FaultType, Finding } from '../model.ts';
import { type Detector, finding } from './detector.ts';

/** A route's backend: the Service by name and the Service port by number or name, as the routing object states it. */
interface Backend {
  namespace: string;
  service: string;
  port?: number | string;
}

/** How sure a finding is (the scale: detectors/detector.ts). */
const STRENGTH = {
  /** A route's backend names a Service or port that does not exist: requests stop at the proxy in front. */
  brokenBackend: 0.92,
  /** The gateway itself did not accept or resolve the route; its reason is what it says. */
  notAccepted: 0.75,
} as const;

/**
 * An Ingress or Gateway API HTTPRoute whose backend names a Service that does not exist, or a port that Service does not
 * expose: the proxy in front has nowhere to send the request and answers 503 itself, so no request reaches the pods,
 * which look healthy and idle. The routing object is the fault (the Service's own ports are what its pods serve).
 */
export const routingBackend: Detector = {
  id: 'routing-backend',
  faultTypes: ['service-port', 'other'],
  detect(snapshot, graph) {
    const findings: Finding[] = [];
    // The namespaces whose Services were read: a backend named in another is unknown, not missing.
    const servicesRead = new Set(snapshot.services.flatMap((service) => service.metadata?.namespace ?? []));
    for (const ingress of snapshot.ingresses) {
      const namespace = ingress.metadata?.namespace ?? '';
      // An Ingress read from a namespace whose Services were not (another namespace's, claiming the same host): that
      // its backend is not in the snapshot says nothing about whether it exists.
      if (!servicesRead.has(namespace)) continue;
      if (unadmitted(ingress, snapshot.ingresses)) continue;
      const backends: Backend[] = [
        ...(ingress.spec?.rules ?? []).flatMap((rule) => rule.http?.paths ?? []).map((path) => path.backend),
        ...(ingress.spec?.defaultBackend ? [ingress.spec.defaultBackend] : []),
      ].flatMap((backend) =>
        backend.service
          ? [
              {
                namespace,
                service: backend.service.name,
                port: backend.service.port?.number ?? backend.service.port?.name,
              },
            ]
          : [],
      );
      const found = brokenBackend(refOf('Ingress', ingress.metadata), lastChange(ingress.metadata), backends, graph);
      if (found) findings.push(found);
    }
    for (const route of snapshot.httpRoutes) {
      const namespace = route.metadata?.namespace ?? '';
      const ref = refOf('HTTPRoute', route.metadata);
      const backends: Backend[] = (route.spec?.rules ?? [])
        .flatMap((rule) => rule.backendRefs ?? [])
        .filter((backend) => (backend.kind ?? 'Service') === 'Service' && !backend.group)
        .map((backend) => ({
          namespace: backend.namespace ?? namespace,
          service: backend.name,
          ...(backend.port !== undefined ? { port: backend.port } : {}),
        }));
      const found = brokenBackend(ref, lastChange(route.metadata), backends, graph);
      if (found) {
        findings.push(found);
        continue;
      }
      // The gateway's own verdict: a route it did not accept or whose references it could not resolve.
      const refused = (route.status?.parents ?? [])
        .flatMap((parent) => parent.conditions ?? [])
        .find((c) => (c.type === 'Accepted' || c.type === 'ResolvedRefs') && c.status === 'False');
      if (!refused) continue;
      const services = backends.flatMap((b) => serviceRef(graph, b));
      findings.push(
        finding(routingBackend, {
          faultType: 'other',
          entity: ref,
          affects: services,
          strength: STRENGTH.notAccepted,
          summary:
            `HTTPRoute ${ref.name} is not ${refused.type === 'Accepted' ? 'accepted' : 'resolved'} by its gateway: ${refused.reason ?? ''} ${refused.message ?? ''}`.trim(),
          evidence: [
            {
              source: 'status',
              ref,
              text: `${refused.type}=False${refused.reason ? ` (${refused.reason})` : ''}: ${refused.message ?? ''}`,
              ...(refused.lastTransitionTime ? { at: refused.lastTransitionTime } : {}),
            },
          ],
          ...changed(lastChange(route.metadata)),
        }),
      );
    }
    for (const object of snapshot.customObjects.filter((custom) => isBackendKind(custom.kind))) {
      const namespace = object.metadata?.namespace ?? '';
      const backends = backendServices(object.spec, namespace).filter((backend) => servicesRead.has(backend.namespace));
      const ref = refOf(object.kind, object.metadata);
      // A router's own backend object is no catalogue kind: the port it names that its Service lacks is `other`.
      const found = brokenBackend(ref, lastChange(object.metadata), backends, graph, 'other');
      if (found) findings.push(found);
    }
    return findings;
  },
};

type Ingress = ClusterSnapshot['ingresses'][number];

/**
 * An Ingress no controller admitted: it has no address while another Ingress read for one of its hosts has one (so the
 * controller there does publish addresses). No proxy serves it, so a backend it names cannot stop a request: it is the
 * leftover or the victim of what chose its class (a solver's generated Ingress, a class no controller watches).
 */
function unadmitted(ingress: Ingress, ingresses: readonly Ingress[]): boolean {
  if (addressed(ingress)) return false;
  const hosts = new Set((ingress.spec?.rules ?? []).flatMap((rule) => rule.host ?? []));
  return ingresses.some(
    (other) => other !== ingress && addressed(other) && (other.spec?.rules ?? []).some((r) => hosts.has(r.host ?? '')),
  );
}

const addressed = (ingress: Ingress): boolean =>
  (ingress.status?.loadBalancer?.ingress ?? []).some((address) => address.ip || address.hostname);

function brokenBackend(
  ref: EntityRef,
  changedAt: string | undefined,
  backends: Backend[],
  graph: EvidenceGraph,
  portFault: FaultType = 'service-port',
): Finding | undefined {
  const problems: { backend: Backend; service?: Service; why: string; faultType: FaultType }[] = [];
  for (const backend of uniqueBackends(backends)) {
    const service = graph.service(backend.namespace, backend.service);
    if (!service) {
      problems.push({ backend, why: `Service ${backend.service} does not exist`, faultType: 'other' });
      continue;
    }
    if (backend.port === undefined || service.spec?.type === 'ExternalName') continue;
    const ports = service.spec?.ports ?? [];
    const exposed =
      typeof backend.port === 'number'
        ? ports.some((p) => p.port === backend.port)
        : ports.some((p) => p.name === backend.port);
    if (exposed) continue;
    const offered = ports.map((p) => (p.name ? `${p.name}:${p.port}` : `${p.port}`)).join(', ') || 'none';
    problems.push({
      backend,
      service,
      why: `Service ${backend.service} exposes no port ${backend.port} (it exposes ${offered})`,
      faultType: portFault,
    });
  }
  const first = problems[0];
  if (!first) return undefined;
  const evidence: Evidence[] = problems.slice(0, 3).map(({ backend, why }) => ({
    source: 'spec',
    ref,
    text: `backend ${backend.service}:${backend.port ?? '(no port)'} — ${why}`,
  }));
  if (changedAt) evidence.push(changeEvidence(ref, changedAt));
  return finding(routingBackend, {
    faultType: first.faultType,
    entity: ref,
    affects: problems.flatMap(({ backend }) => serviceRef(graph, backend)),
    strength: STRENGTH.brokenBackend,
    summary: `${ref.kind} ${ref.name} routes to ${first.backend.service}:${first.backend.port ?? ''} but ${first.why}: requests stop at the proxy in front and never reach the pods`,
    evidence,
    ...changed(changedAt),
  });
}

/** The Service a backend names and the workloads behind it, when it exists: what the broken route cuts off. */
function serviceRef(graph: EvidenceGraph, backend: Backend): EntityRef[] {
  const service = graph.service(backend.namespace, backend.service);
  return service ? [refOf('Service', service.metadata), ...graph.workloadsBehind(service)] : [];
}

function uniqueBackends(backends: Backend[]): Backend[] {
  return [...new Map(backends.map((b) => [`${b.namespace}/${b.service}:${b.port ?? ''}`, b])).values()];
}

const changed = (at: string | undefined): { changedAt?: string } => (at ? { changedAt: at } : {});
