import { endpointsOf, resolvesPort } from '../evidence/endpoints.ts';
import { refOf } from '../evidence/graph.ts';
import { anyOf, GAVE_UP, REFUSED } from '../evidence/connection-failures.ts';
import { lastChange, toMs } from '../evidence/time.ts';
import type { EvidenceGraph, Service } from '../evidence/graph.ts';
import { lastDistinct, logEvidence, logLinesWhere, type PodLogLine } from '../evidence/logs.ts';
import type { ClusterSnapshot } from '../evidence/snapshot.ts';
import type { Evidence, Finding } from '../model.ts';
import { type Detector, finding } from './detector.ts';
import { STANDING_TROUBLE, changedBeforeOnset, symptomOnset } from '../evidence/onset.ts';

// A client or proxy told "nothing listens there", as runtimes, proxies and curl word it.
const NOTHING_LISTENS = anyOf(REFUSED, 'connect\\(\\) failed|upstream connect error', GAVE_UP);

/**
 * Log lines (any pod read) that report a refused connection to this Service: they name its host or cluster IP, or
 * one of its selected pods' addresses, at the port in question. Kubernetes does not require containerPort
 * declarations, so an undeclared targetPort is proven wrong only when something that dialled it was refused.
 */
function refusalsAt(snapshot: ClusterSnapshot, service: Service, podIps: string[], ports: number[]): PodLogLine[] {
  const name = service.metadata?.name ?? '';
  const namespace = service.metadata?.namespace ?? '';
  const clusterIp = service.spec?.clusterIP;
  const hosts = [
    ...(clusterIp && clusterIp !== 'None' ? [clusterIp] : []),
    ...podIps,
    `${name}.${namespace}`,
    name,
  ].filter((h) => h !== '');
  return logLinesWhere(snapshot, (text) => NOTHING_LISTENS.test(text)).filter(
    ({ text }) =>
      ports.some((port) => hosts.some((host) => text.includes(`${host}:${port}`) || text.includes(`${host}.svc`))) ||
      hosts.some((host) => /^\d/.test(host) && text.includes(host)),
  );
}

/**
 * How sure a finding is (the scale: detectors/detector.ts). Without a refusal the spec shows only a missing
 * declaration; a headless Service's clients dial pod addresses at ports of their own choosing, so its targetPort
 * carries even less.
 */
const STRENGTH = {
  /** Connections to the target port are refused where the pods run. */
  refused: 0.92,
  /** No refusal read, but the Service changed shortly before. */
  changedRecently: 0.6,
  /** Only the spec: the pods do not declare the target port. */
  undeclared: 0.45,
  /** A headless Service: its targetPort is rarely what clients dial. */
  headless: 0.3,
} as const;

/**
 * A Service whose targetPort is no port its selected pods' containers expose. Strong only when a refused connection
 * at that port corroborates it; an undeclared port alone (headless peer discovery, a sidecar's port) is weak.
 */
export const servicePort: Detector = {
  id: 'service-port',
  faultTypes: ['service-port'],
  detect(snapshot, graph, alert) {
    const findings: Finding[] = [];
    const onset = symptomOnset(snapshot, alert?.startsAt);
    for (const service of snapshot.services) {
      const pods = graph.podsSelectedBy(service);
      if (pods.length === 0) continue;
      const containers = pods.flatMap((p) => p.spec?.containers ?? []);
      if (containers.length === 0) continue;
      // A container that declares no port may still listen on any (a sidecar beside the application): the declared
      // ports alone cannot prove the targetPort wrong, only a connection refused at it where the pods run can.
      const undeclaredListener = containers.some((c) => (c.ports ?? []).length === 0);
      const declared = containers.flatMap((c) => c.ports ?? []);
      if (declared.length === 0) continue;
      for (const port of service.spec?.ports ?? []) {
        const target = port.targetPort ?? port.port;
        const numeric = typeof target === 'number' || /^\d+$/.test(String(target));
        const served = numeric
          ? declared.some((p) => p.containerPort === Number(target))
          : declared.some((p) => p.name === target);
        // Declared container ports are informational: traffic to an undeclared numeric port still reaches the pod.
        // Such a port is a fault only when it is all the Service carries or the Service changed recently; a second,
        // long-standing port (metrics, a management UI) merely undeclared is not evidence of anything.
        const changed = lastChange(service.metadata);
        const recentlyChanged = changedBeforeOnset(changed, onset);
        const crossed = served && recentlyChanged ? crossedTo(port, target, declared) : undefined;
        if (served && !crossed) continue;
        // A named targetPort the pods read here do not declare, yet the Endpoints list ready addresses under that
        // port: the controller found the name in the pods it routes to, so the port is not what breaks traffic.
        if (!served && !numeric && resolvesPort(endpointsOf(snapshot.endpoints, service), port.name)) continue;
        if (numeric && (service.spec?.ports ?? []).length > 1 && !recentlyChanged) continue;
        const ref = refOf('Service', service.metadata);
        const podIps = pods.map((p) => p.status?.podIP).filter((ip): ip is string => typeof ip === 'string');
        const refusals = refusalsAt(snapshot, service as Service, podIps, [
          port.port,
          ...(numeric ? [Number(target)] : []),
        ]);
        if (refusals.length === 0 && standingMismatch(service, pods, onset.at)) continue;
        // The Service port's own name says which listener it means when a container declares a port by that name.
        const meant = port.name ? declared.find((p) => p.name === port.name) : undefined;
        const namesAnother = numeric && meant !== undefined && meant.containerPort !== Number(target);
        if (undeclaredListener && refusals.length === 0 && !namesAnother) continue;
        const headless = service.spec?.clusterIP === 'None';
        const strength =
          refusals.length > 0
            ? STRENGTH.refused
            : headless
              ? STRENGTH.headless
              : recentlyChanged
                ? STRENGTH.changedRecently
                : STRENGTH.undeclared;
        const candidates = [
          ...new Set(
            declared.filter((p) => !p.protocol || p.protocol === (port.protocol ?? 'TCP')).map((p) => p.containerPort),
          ),
        ];
        const fix = crossed
          ? crossed.containerPort
          : namesAnother
            ? meant.containerPort
            : candidates.length === 1
              ? candidates[0]
              : undefined;
        const found: Finding = finding(servicePort, {
          entity: ref,
          affects: [...new Map(pods.map((p) => graph.workloadOf(p)).map((w) => [w.name, w])).values()],
          strength,
          summary: crossed
            ? `Service ${service.metadata?.name} sends its ${port.name} port ${port.port} to targetPort ${target}, not the container port ${crossed.name === port.name ? `named ${port.name}` : `numbered ${port.port}`} (${crossed.containerPort}) that its pods also expose`
            : `Service ${service.metadata?.name} sends port ${port.port} to targetPort ${target}, which its pods do not expose (they expose ${candidates.join(', ')}${namesAnother ? `; the port they name ${port.name} is ${meant.containerPort}` : ''})`,
          evidence: [
            {
              source: 'spec',
              ref,
              text: `port ${port.port} → targetPort ${target}; containers expose ${declared.map((p) => (p.name ? `${p.name}:${p.containerPort}` : p.containerPort)).join(', ')}`,
            },
            ...lastDistinct(refusals, () => true, 2).map(logEvidence),
          ] satisfies Evidence[],
        });
        if (changed) found.changedAt = changed;
        if (fix !== undefined) {
          found.remediation = {
            summary: `Point Service ${service.metadata?.name} port ${port.port} at targetPort ${fix}`,
            action: {
              type: 'set-service-port',
              namespace: service.metadata?.namespace ?? '',
              name: service.metadata?.name ?? '',
              port: port.port,
              targetPort: fix,
            },
          };
        }
        findings.push(found);
      }
    }
    return findings;
  },
};

/**
 * How long a Service and the pods it selects must have stood unchanged for a mismatch between them, with nothing
 * refused, to be a standing condition: traffic through it has worked (or not) through days the symptom did not exist.
 */
const STANDING_MISMATCH = STANDING_TROUBLE;

/**
 * Whether the Service and every pod it selects were last changed or created over STANDING_MISMATCH before the onset: whatever
 * mismatch their specs show has stood since, long before any symptom new enough to page about. A recent pod (a rollout
 * that renamed or moved the port) or a recent edit of the Service keeps it a suspect.
 */
function standingMismatch(
  service: ClusterSnapshot['services'][number],
  pods: ReturnType<EvidenceGraph['podsSelectedBy']>,
  onset: number,
): boolean {
  // A time not read is not an old one: the Service or a pod of unknown age may be what just changed.
  const stamps = [lastChange(service.metadata), ...pods.map((pod) => pod.metadata?.creationTimestamp)];
  const times = stamps.map(toMs).filter((time): time is number => time !== undefined);
  return times.length === stamps.length && onset - Math.max(...times) > STANDING_MISMATCH;
}

type DeclaredPort = { name?: string; containerPort: number; protocol?: string };

/**
 * The container port a Service port is named or numbered for, when its targetPort points at another one of the same
 * containers (port `http` sent to the container's `grpc` while the container also declares `http`; port 9200 sent to
 * 9300 while the container listens on both): the ports were crossed, and the clients speaking the Service port's
 * protocol reach a listener that speaks another.
 */
function crossedTo(
  port: { name?: string; port: number },
  target: number | string,
  declared: DeclaredPort[],
): DeclaredPort | undefined {
  // The listener a Service port means: the container port of its name, else the one at its own number (port 9200 of a
  // server that listens on 9200): a Service port is numbered after what it serves.
  const own =
    (port.name ? declared.find((p) => p.name === port.name) : undefined) ??
    declared.find((p) => p.containerPort === port.port);
  const reached = declared.find((p) => (typeof target === 'number' ? p.containerPort === target : p.name === target));
  return own && reached && reached.containerPort !== own.containerPort ? own : undefined;
}
