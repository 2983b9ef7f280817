import { refOf } from '../evidence/graph.ts';
import { anyOf, GAVE_UP, REFUSED } from '../evidence/connection-failures.ts';
import { literal } from '../evidence/config-mentions.ts';
import { fieldsChangedAt } from '../evidence/changed-fields.ts';
import { lastDistinct, logEvidence, logLinesWhere, type PodLogLine } from '../evidence/logs.ts';
import { changedBeforeOnset, symptomOnset } from '../evidence/onset.ts';
import type { ClusterSnapshot } from '../evidence/snapshot.ts';
import { lastChange } from '../evidence/time.ts';
import type { Finding } from '../model.ts';
import { type Detector, finding } from './detector.ts';

// A client told "nothing listens there", as runtimes and curl word it.
const NOTHING_LISTENS = anyOf(REFUSED, GAVE_UP);

/**
 * How sure a finding is (the scale: detectors/detector.ts): the Service's own change and the clients' refusals at the
 * port it stopped listing agree.
 */
const STRENGTH = {
  /** The Service's ports changed shortly before, and clients are refused at a port it no longer lists. */
  unlisted: 0.9,
} as const;

type Service = ClusterSnapshot['services'][number];

/**
 * The address forms a client may print for a Service and the port it dialled: its cluster IP, its DNS name in any
 * length (`name.ns`, `name.ns.svc.cluster.local`) and, from its own namespace, its bare name. The port is the group.
 */
function addressPatterns(service: Service): { pattern: RegExp; namespace?: string }[] {
  const name = literal(service.metadata?.name ?? '');
  const namespace = service.metadata?.namespace ?? '';
  const ip = service.spec?.clusterIP;
  return [
    ...(ip && ip !== 'None' ? [{ pattern: new RegExp(`(?<![\\w.])${literal(ip)}:(\\d{1,5})\\b`, 'g') }] : []),
    { pattern: new RegExp(`(?<![\\w.-])${name}\\.${literal(namespace)}(?:\\.svc(?:\\.[\\w-]+)*)?:(\\d{1,5})\\b`, 'g') },
    { pattern: new RegExp(`(?<![\\w./-])${name}:(\\d{1,5})\\b`, 'g'), namespace },
  ];
}

/** Refused connections at the Service's address on a port it does not list, with that port. */
function refusedAtUnlistedPorts(snapshot: ClusterSnapshot, service: Service, listed: Set<number>): PodLogLine[] {
  const patterns = addressPatterns(service);
  return logLinesWhere(snapshot, (text) => NOTHING_LISTENS.test(text)).filter((line) =>
    patterns.some(
      ({ pattern, namespace }) =>
        (namespace === undefined || namespace === line.namespace) &&
        [...line.text.matchAll(pattern)].some((match) => !listed.has(Number(match[1]))),
    ),
  );
}

/**
 * A Service whose ports changed shortly before the symptom, while its clients are refused at its address on a port it
 * no longer lists. A cluster IP forwards only the ports its Service lists; a connection to any other is refused there,
 * however healthy the pods behind it are: the change took away the port the clients were built to call (a chart that
 * renumbered `8080` to `80`), so the Service, not its pods nor its callers, is where the fault lives. A Service that did
 * not change is no suspect: then a client dialling a port it never served is misconfigured itself.
 */
export const unlistedPort: Detector = {
  id: 'unlisted-port',
  faultTypes: ['service-port'],
  detect(snapshot, graph, alert) {
    const findings: Finding[] = [];
    const onset = symptomOnset(snapshot, alert?.startsAt);
    for (const service of snapshot.services) {
      const clusterIp = service.spec?.clusterIP;
      // A headless Service's name is its pods' addresses: any port they listen on answers through it.
      if (!clusterIp || clusterIp === 'None' || service.spec?.type === 'ExternalName') continue;
      const changed = lastChange(service.metadata);
      if (!changedBeforeOnset(changed, onset)) continue;
      // The change is known to have written something else (its selector, a label): it took no port away.
      const fields = fieldsChangedAt(service.metadata, changed);
      if (fields.length > 0 && !fields.includes('spec.ports')) continue;
      const pods = graph.podsSelectedBy(service);
      if (pods.length === 0) continue;
      const ports = service.spec?.ports ?? [];
      const refusals = refusedAtUnlistedPorts(snapshot, service, new Set(ports.map((p) => p.port)));
      if (refusals.length === 0) continue;
      const ref = refOf('Service', service.metadata);
      const found = finding(unlistedPort, {
        entity: ref,
        affects: [...new Map(pods.map((p) => graph.workloadOf(p)).map((w) => [w.name, w])).values()],
        strength: STRENGTH.unlisted,
        summary: `Service ${service.metadata?.name} changed its ports at ${changed} and now lists ${ports.map((p) => p.port).join(', ')}; its clients are refused at a port it no longer lists`,
        evidence: [
          {
            source: 'spec',
            ref,
            text: `ports ${ports.map((p) => `${p.port}→${p.targetPort ?? p.port}`).join(', ')}${fields.length > 0 ? ` (changed ${fields.join(', ')} at ${changed})` : ` (changed at ${changed})`}`,
          },
          ...lastDistinct(refusals, () => true, 2).map(logEvidence),
        ],
      });
      if (changed) found.changedAt = changed;
      findings.push(found);
    }
    return findings;
  },
};
