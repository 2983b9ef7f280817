import type { Service } from '../evidence/graph.ts';
import { anyOf, REFUSED, UNREACHABLE, UPSTREAM_CONNECT } from '../evidence/connection-failures.ts';
import { refOf } from '../evidence/graph.ts';
import { controllerPods } from '../evidence/ingress-controller.ts';
import { matchesMap } from '../evidence/labels.ts';
import { lastDistinct, logEvidence, logLinesOf } from '../evidence/logs.ts';
import { isPodReady } from '../evidence/pod-state.ts';
import { lastChange } from '../evidence/time.ts';
import type { Evidence, Finding } from '../model.ts';
import { type Detector, finding } from './detector.ts';

// A proxy that could not open a connection to its upstream, as nginx, Envoy, HAProxy and Traefik word it.
const CONNECT_FAILED = anyOf(UPSTREAM_CONNECT, REFUSED, UNREACHABLE, 'UF[, ]|dial tcp .*(refused|timeout)');
const ADDRESS = /\b(\d{1,3}(?:\.\d{1,3}){3}):(\d{2,5})\b/g;
// What an application says when it starts serving: the port it really listens on.
const LISTENING = /listen(?:ing)?(?: on)?[^\d\n]{0,40}(?:[\d.]*|\[::\]|localhost)?:(\d{2,5})\b/i;

/** How sure a finding is (the scale: detectors/detector.ts). */
const STRENGTH = {
  /** The pods listen (by their log) or declare another port than the one the Service targets. */
  listensElsewhere: 0.9,
  /** The controller's connections to the target port are refused; nothing read says where the pods listen. */
  refused: 0.75,
} as const;

/**
 * The ingress controller's own log names the backend it cannot reach: a pod address and port that refuse the
 * connection. When those pods are running and ready (they answer their probes elsewhere) and the port is the one the
 * Service in front of them targets, the Service sends traffic where nothing listens: its targetPort is the fault
 * (service-port) — what the pod spec alone cannot show when the containers declare no ports.
 */
export const ingressUpstream: Detector = {
  id: 'ingress-upstream',
  faultTypes: ['service-port'],
  detect(snapshot, graph) {
    const findings: Finding[] = [];
    const byIp = new Map(snapshot.pods.filter((p) => p.status?.podIP).map((p) => [p.status?.podIP as string, p]));
    for (const controller of controllerPods(snapshot)) {
      const lines = logLinesOf(snapshot, controller.metadata?.namespace ?? '', [controller.metadata?.name ?? '']);
      const refused = lines.filter((line) => CONNECT_FAILED.test(line.text));
      const seen = new Set<string>();
      for (const line of refused) {
        for (const [, ip, portText] of line.text.matchAll(ADDRESS)) {
          const pod = byIp.get(ip as string);
          const port = Number(portText);
          if (!pod || !isPodReady(pod)) continue;
          const namespace = pod.metadata?.namespace ?? '';
          const service = snapshot.services.find(
            (s) =>
              s.metadata?.namespace === namespace &&
              matchesMap(pod.metadata?.labels, s.spec?.selector) &&
              (s.spec?.ports ?? []).some(
                (p) => p.targetPort === port || (p.targetPort === undefined && p.port === port),
              ),
          ) as Service | undefined;
          const key = `${namespace}/${service?.metadata?.name}:${port}`;
          if (!service || seen.has(key)) continue;
          seen.add(key);
          const workload = graph.workloadOf(pod);
          const ref = refOf('Service', service.metadata);
          const own = logLinesOf(snapshot, namespace, [pod.metadata?.name ?? '']);
          const listening = own.map((l) => LISTENING.exec(l.text)).find((m) => m && Number(m[1]) !== port);
          const declared = (pod.spec?.containers ?? []).flatMap((c) => (c.ports ?? []).map((p) => p.containerPort));
          const changedAt = lastChange(service.metadata);
          const evidence: Evidence[] = [
            ...lastDistinct(refused, (text) => text.includes(`${ip}:${port}`), 2).map(logEvidence),
            {
              source: 'spec',
              ref,
              text: `Service ${ref.name} sends traffic to port ${port} of ${workload.name}'s pods${declared.length > 0 ? ` (containers declare ${declared.join(', ')})` : ' (their containers declare no port)'}`,
            },
            {
              source: 'status',
              ref: refOf('Pod', pod.metadata),
              text: `${pod.metadata?.name} is running and ready: it serves, but not on port ${port}`,
            },
          ];
          if (listening?.[1]) {
            const where = own.find((l) => LISTENING.test(l.text));
            if (where) evidence.push(logEvidence(where));
          }
          findings.push(
            finding(ingressUpstream, {
              entity: ref,
              affects: [workload],
              strength: listening || declared.some((p) => p !== port) ? STRENGTH.listensElsewhere : STRENGTH.refused,
              summary: `Service ${ref.name} targets port ${port}, where ${workload.name}'s ready pods refuse connections${listening ? ` (they listen on ${listening[1]})` : ''}: the ingress controller cannot reach them — "${line.text.slice(0, 160)}"`,
              evidence,
              ...(changedAt ? { changedAt } : {}),
            }),
          );
        }
      }
    }
    return findings;
  },
};
