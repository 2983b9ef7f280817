import { changeEvidence, configChangedAt, configObject } from '../evidence/config-change.ts';
import type { EvidenceGraph } from '../evidence/graph.ts';
import { lastDistinct, logEvidence, logLinesOf, logsRead } from '../evidence/logs.ts';
import type { ClusterSnapshot } from '../evidence/snapshot.ts';
import { toMs } from '../evidence/time.ts';
import type { EntityRef, Evidence, Finding } from '../model.ts';
import { refKey } from '../model.ts';
import { AUTH_FAILURE } from '../evidence/auth-refusal.ts';
import { type Detector, finding } from './detector.ts';
import { changedBeforeOnset, symptomOnset } from '../evidence/onset.ts';

type Pod = ClusterSnapshot['pods'][number];

/** How sure a finding is (the scale: detectors/detector.ts). */
const STRENGTH = {
  /** The server's log refuses the client's credential since the edit. */
  refused: 0.9,
  /** The restarts tell the story (client restarted since the edit, server not), but no refusal was read. */
  restartsOnly: 0.7,
} as const;

/**
 * Credentials out of step with their server, seen from both sides even when the client logs nothing about it.
 * A Secret the client reads was edited; the client's pods all started after the edit (a restart picked the new value
 * up); the server it is configured to call has run since before the edit, on the credential it started with, and does
 * not read that Secret. The client now presents a value its server never learnt: a `bad-secret-value` of the Secret.
 * The server's own log refusing authentication (`Access denied`, `password authentication failed`) confirms it.
 */
export const credentialDrift: Detector = {
  id: 'credential-drift',
  faultTypes: ['bad-secret-value'],
  detect(snapshot, graph, alert) {
    const onset = symptomOnset(snapshot, alert?.startsAt);
    const findings = new Map<string, Finding>();
    for (const client of graph.workloads) {
      const pods = graph.podsOf(client.ref);
      const clientStart = earliestStart(pods);
      if (clientStart === undefined) continue;
      const servers = serversOf(graph, client.ref);
      if (servers.length === 0) continue;
      for (const reference of graph.referencesOf(client.ref)) {
        if (reference.target.kind !== 'Secret') continue;
        const secret = configObject(snapshot, reference.target);
        const changedAt = configChangedAt(secret);
        const changed = toMs(changedAt);
        // An edit, recent, and every running client pod started after it: the client uses the new value.
        if (!secret || !changedAt || changed === undefined || changedAt === secret.metadata?.creationTimestamp)
          continue;
        if (!changedBeforeOnset(changed, onset) || clientStart < changed) continue;
        const stale = servers.filter(
          (server) =>
            (latestStart(graph.podsOf(server)) ?? Number.POSITIVE_INFINITY) < changed &&
            !graph.referencesOf(server).some((r) => refKey(r.target) === refKey(reference.target)),
        );
        const server = stale[0];
        if (!server) continue;
        const serverPods = graph.podsOf(server).map((p) => p.metadata?.name ?? '');
        const refusals = lastDistinct(
          logLinesOf(snapshot, server.namespace ?? '', serverPods),
          (text) => AUTH_FAILURE.test(text),
          2,
        );
        const clientPods = pods.map((p) => p.metadata?.name ?? '');
        const silent =
          logsRead(snapshot, client.ref.namespace, clientPods) &&
          logLinesOf(snapshot, client.ref.namespace ?? '', clientPods).length === 0;
        const started = new Date(clientStart).toISOString();
        const evidence: Evidence[] = [
          changeEvidence(reference.target, changedAt),
          {
            source: 'status',
            ref: client.ref,
            text: `${client.ref.name}'s pods started at ${started}, after the edit: they present the new value${reference.key ? ` of key ${reference.key}` : ''}`,
            at: started,
          },
          {
            source: 'status',
            ref: server,
            text: `${server.name}'s pods have run since before the edit, on the credential they started with; ${server.name} does not read Secret ${reference.target.name}`,
          },
          ...refusals.map(logEvidence),
        ];
        const fault: Finding = finding(credentialDrift, {
          entity: reference.target,
          affects: [client.ref],
          strength: refusals.length > 0 ? STRENGTH.refused : STRENGTH.restartsOnly,
          summary: `Secret ${reference.target.name} was edited at ${changedAt}; ${client.ref.name} restarted since and presents the new value to ${server.name}, which still runs on the credential it started with${refusals.length > 0 ? ` and refuses it: "${refusals[0]?.text.slice(0, 120)}"` : ''}${silent ? `; ${client.ref.name} logs nothing about its failing calls` : ''}`,
          evidence,
          changedAt,
        });
        const held = findings.get(refKey(reference.target));
        if (!held || held.strength < fault.strength) findings.set(refKey(reference.target), fault);
      }
    }
    return [...findings.values()];
  },
};

/** The workloads behind the Services a client's configuration points at (its servers), in any namespace read. */
function serversOf(graph: EvidenceGraph, client: EntityRef): EntityRef[] {
  return (
    graph
      .dependenciesOf(client)
      // Configured calls (env, arguments, ConfigMaps), not log mentions: the server this client is set up to use.
      .filter((edge) => edge.evidence.some((e) => e.source === 'spec'))
      .flatMap((edge) => {
        const service = edge.to.kind === 'Service' ? graph.service(edge.to.namespace ?? '', edge.to.name) : undefined;
        return service ? graph.workloadsBehind(service) : [];
      })
      .filter((server) => refKey(server) !== refKey(client) && graph.podsOf(server).length > 0)
  );
}

const startOf = (pod: Pod): number | undefined => toMs(pod.status?.startTime ?? pod.metadata?.creationTimestamp);

function earliestStart(pods: Pod[]): number | undefined {
  const starts = pods.map(startOf).filter((t): t is number => t !== undefined);
  return starts.length === pods.length && starts.length > 0 ? Math.min(...starts) : undefined;
}

function latestStart(pods: Pod[]): number | undefined {
  const starts = pods.map(startOf).filter((t): t is number => t !== undefined);
  return starts.length > 0 ? Math.max(...starts) : undefined;
}
