import { eventEvidence, eventsFor, eventTime } from '../evidence/events.ts';
import { refOf } from '../evidence/graph.ts';
import { lastDistinct, logEvidence, logLinesOf } from '../evidence/logs.ts';
import type { EntityRef, Evidence, Finding } from '../model.ts';
import { refKey } from '../model.ts';
import { type Detector, finding } from './detector.ts';
import { changedBeforeOnset, symptomOnset } from '../evidence/onset.ts';

// A server refusing new connections because all its slots are taken, as Postgres, MySQL, Redis and MongoDB word it.
const NO_SLOTS =
  /too many (clients|connections)|remaining connection slots are reserved|max_connections|ER_CON_COUNT_ERROR|max number of clients reached|connection limit (exceeded|reached)/i;
// The server (or its operator) applying a configuration change, which is where a lowered limit comes from.
const RECONFIGURED =
  /configuration change|parameters? (requiring restart )?changed|reload(ed|ing)? config|max_connections/i;

/** How sure a finding is (the scale: detectors/detector.ts). */
const STRENGTH = {
  /** Its connection limit was changed shortly before (an event, its own log): the change and the refusals agree. */
  reconfigured: 0.9,
  /** It refuses connections for lack of slots, with no change seen: the limit may always have been tight. */
  refusing: 0.7,
} as const;

/**
 * Clients refused for lack of connection slots: the server's connection limit is the fault, not the clients, which
 * only report it. The server is the dependency the clients call (configuration, a Secret's connection URL, logs) whose
 * own log says the same, or its only database-like dependency. Named at its controller (an operator's custom resource
 * when it owns the pods), stronger when its events or log show a configuration change shortly before: the limit was
 * just lowered. The catalogue has no type: other.
 */
export const connectionLimit: Detector = {
  id: 'connection-limit',
  faultTypes: ['other'],
  detect(snapshot, graph, alert) {
    const onset = symptomOnset(snapshot, alert?.startsAt);
    const findings = new Map<string, Finding>();
    for (const client of graph.workloads) {
      const pods = graph.podsOf(client.ref).map((p) => p.metadata?.name ?? '');
      const refused = lastDistinct(logLinesOf(snapshot, client.ref.namespace ?? '', pods), (t) => NO_SLOTS.test(t), 2);
      if (refused.length === 0) continue;
      const servers = graph.dependenciesOf(client.ref).flatMap((edge) => {
        const service = graph.service(edge.to.namespace ?? '', edge.to.name);
        return (service ? graph.workloadsBehind(service) : []).map((server) => ({ server, edge }));
      });
      const linesOf = (server: EntityRef) =>
        logLinesOf(
          snapshot,
          server.namespace ?? '',
          graph.podsOf(server).map((p) => p.metadata?.name ?? ''),
        ).filter((l) => NO_SLOTS.test(l.text) || RECONFIGURED.test(l.text));
      const confirmed = servers.filter(({ server }) => linesOf(server).length > 0);
      // The refusals say where they connected: the Service's cluster IP, or its name (`server at "10.43.7.196"`).
      const addressed = servers.filter(({ edge }) => {
        const service = graph.service(edge.to.namespace ?? '', edge.to.name);
        const addresses = [service?.spec?.clusterIP, edge.to.name].filter((a): a is string => !!a && a !== 'None');
        return refused.some((line) => addresses.some((address) => line.text.includes(address)));
      });
      const chosen =
        confirmed.length > 0 ? confirmed : addressed.length > 0 ? addressed : servers.length === 1 ? servers : [];
      for (const { server, edge } of chosen) {
        const changes = eventsFor(snapshot, server.kind, server.namespace, server.name).filter(
          (e) => RECONFIGURED.test(e.message ?? '') && changedBeforeOnset(eventTime(e), onset),
        );
        const own = lastDistinct(linesOf(server), () => true, 2);
        const reconfigured = changes.length > 0 || own.some((l) => RECONFIGURED.test(l.text));
        const at = changes
          .map(eventTime)
          .filter((t): t is string => t !== undefined)
          .sort()[0];
        const evidence: Evidence[] = [
          ...refused.map(logEvidence),
          {
            ...(edge.evidence[0] as Evidence),
            text: `${client.ref.name} connects to ${edge.to.name}: ${edge.evidence[0]?.text ?? ''}`,
          },
          ...changes.slice(0, 2).map(eventEvidence),
          ...own.map(logEvidence),
        ];
        const key = refKey(server);
        const held = findings.get(key);
        if (held) {
          held.affects.push(client.ref);
          continue;
        }
        findings.set(
          key,
          finding(connectionLimit, {
            entity: server,
            affects: [client.ref, refOf('Service', { name: edge.to.name, namespace: edge.to.namespace })],
            strength: reconfigured ? STRENGTH.reconfigured : STRENGTH.refusing,
            summary: `${server.kind} ${server.name} refuses ${client.ref.name}'s connections for lack of slots${reconfigured ? ', since its configuration was changed' : ''}: its connection limit is below what its clients open — "${refused[0]?.text.slice(0, 160)}"`,
            evidence,
            ...(at ? { changedAt: at } : {}),
          }),
        );
      }
    }
    return [...findings.values()];
  },
};
