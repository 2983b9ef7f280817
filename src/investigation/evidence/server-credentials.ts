import { configChangedAt, configObject } from './config-change.ts';
import { type CustomOwnerRead, customControllerOf, customKind } from './custom-owners.ts';
import type { EvidenceGraph } from './graph.ts';
import { podReferences } from './references.ts';
import { secretNamesIn } from './resource-secrets.ts';
import { lastDistinct, logLinesOf, type PodLogLine } from './logs.ts';
import type { ClusterSnapshot, SecretShape } from './snapshot.ts';
import { snapshotNow, toMs } from './time.ts';
import type { EntityRef } from '../model.ts';
import { refKey } from '../model.ts';
import { SUSPECT_CHANGE_WINDOW } from './onset.ts';

/**
 * Credentials rotated on the server's side. A server (a database, a broker) checks logins against a credential kept in
 * a Secret of its own — the one its pods read, or the one its operator generated and labels with the server's name
 * (`<label>: <server>`, or named `<server>-…`). When that Secret changes (a rotation, by hand or by the operator) and the
 * clients' own copies do not, every client presents the old value and the server refuses it: the client's Secret is
 * stale. Seen from the client: its logins fail while nothing it reads changed — so the server's side is looked at.
 */

/** A login refused: the client's own words for it. */
export const LOGIN_REFUSED =
  /password authentication failed|authentication failed|access denied for user|login failed|invalid (password|credentials)|bad credentials|sasl authentication failed|auth(entication)? (error|failure)|wrong ?pass|noauth|wrongpass|access_refused|(credentials?|password) (rejected|refused)/i;

/** Key names that hold a login's secret half. */
const PASSWORD_KEY = /pass(word)?|pwd|passwd/i;

/** The client's own Secrets (what its pods read), with the lines in which its logins are refused. */
export interface RefusedClient {
  client: EntityRef;
  lines: PodLogLine[];
  servers: EntityRef[];
}

/**
 * Workloads whose logs show logins refused, the servers they connect to (the workloads behind the Services the lines
 * or their configuration name), and none of whose own Secrets changed within the suspect window.
 */
export function refusedClients(snapshot: ClusterSnapshot, graph: EvidenceGraph): RefusedClient[] {
  const now = snapshotNow(snapshot);
  return graph.workloads.flatMap(({ ref: client }) => {
    const pods = graph.podsOf(client).map((p) => p.metadata?.name ?? '');
    const lines = lastDistinct(logLinesOf(snapshot, client.namespace ?? '', pods), (t) => LOGIN_REFUSED.test(t), 2);
    if (lines.length === 0) return [];
    const own = graph.referencesOf(client).filter((r) => r.target.kind === 'Secret');
    const changed = own.some((r) => {
      const at = toMs(configChangedAt(configObject(snapshot, r.target)));
      return at !== undefined && now - at < SUSPECT_CHANGE_WINDOW;
    });
    if (changed) return [];
    const servers = serversOf(graph, client, lines);
    return servers.length > 0 ? [{ client, lines, servers }] : [];
  });
}

/** The servers: those the refusal lines name (an address, a host), else those the configuration points at. */
function serversOf(graph: EvidenceGraph, client: EntityRef, lines: PodLogLine[]): EntityRef[] {
  const edges = graph.dependenciesOf(client);
  const named = edges.filter((e) =>
    e.evidence.some((ev) => ev.source === 'log' && lines.some((l) => l.text === ev.text)),
  );
  const configured = edges.filter((e) => e.evidence.some((ev) => ev.source === 'spec'));
  const behind = (chosen: typeof edges) =>
    chosen.flatMap((edge) => {
      const service = edge.to.kind === 'Service' ? graph.service(edge.to.namespace ?? '', edge.to.name) : undefined;
      return service ? graph.workloadsBehind(service) : [];
    });
  const servers = behind(named).length > 0 ? behind(named) : behind(configured);
  return [...new Map(servers.filter((s) => refKey(s) !== refKey(client)).map((s) => [refKey(s), s])).values()];
}

/** Whether a Secret belongs to the server: its pods read it, a label of it names the server, or its name begins so. */
function serversOwn(graph: EvidenceGraph, server: EntityRef, secret: SecretShape): boolean {
  if (secret.metadata?.namespace !== server.namespace) return false;
  const name = secret.metadata?.name ?? '';
  if (graph.referencesOf(server).some((r) => r.target.kind === 'Secret' && r.target.name === name)) return true;
  if (Object.values(secret.metadata?.labels ?? {}).includes(server.name)) return true;
  return server.name.length >= 3 && name.startsWith(`${server.name}-`);
}

/** A Secret of the server's, changed (not created) within the suspect window: its credential was rotated. */
export function rotatedServerSecret(
  snapshot: ClusterSnapshot,
  graph: EvidenceGraph,
  server: EntityRef,
): { secret: SecretShape; changedAt: string } | undefined {
  const now = snapshotNow(snapshot);
  return snapshot.secrets
    .filter((secret) => serversOwn(graph, server, secret))
    .flatMap((secret) => {
      const changedAt = configChangedAt(secret);
      const at = toMs(changedAt);
      if (!changedAt || at === undefined || changedAt === secret.metadata?.creationTimestamp) return [];
      return now - at < SUSPECT_CHANGE_WINDOW ? [{ secret, changedAt }] : [];
    })
    .sort((a, b) => b.changedAt.localeCompare(a.changedAt))[0];
}

/** The client's Secret that holds its login: the one read whose keys name a password (only one). */
export function clientLoginSecret(
  snapshot: ClusterSnapshot,
  graph: EvidenceGraph,
  client: EntityRef,
): EntityRef | undefined {
  const holding = graph
    .referencesOf(client)
    .filter((r) => r.target.kind === 'Secret')
    .filter((r) => {
      const secret = configObject(snapshot, r.target) as SecretShape | undefined;
      return (
        (r.key !== undefined && PASSWORD_KEY.test(r.key)) || (secret?.keys ?? []).some((k) => PASSWORD_KEY.test(k))
      );
    });
  const distinct = [...new Map(holding.map((r) => [refKey(r.target), r.target])).values()];
  return distinct.length === 1 ? distinct[0] : undefined;
}

/** What to read to see the server's side: the custom resource its pods are made from, then a Secret it names. */
export interface ServerCredentialReads {
  owners: CustomOwnerRead[];
  secrets: { namespace: string; name: string }[];
}

/** Secrets of the server read by name at most (each a request). */
const MAX_SERVER_SECRETS = 1;

/**
 * For servers refusing logins of clients whose own Secrets did not change, and none of whose own Secrets was read:
 * the custom resource their pods are made from, when not read (its spec names the credential an operator keeps), and
 * the Secrets their pods or that resource name, by name, a login's first.
 */
export function serverCredentialReads(
  snapshot: ClusterSnapshot,
  graph: EvidenceGraph,
  asked: ReadonlySet<string>,
): ServerCredentialReads {
  const servers = [
    ...new Map(refusedClients(snapshot, graph).flatMap(({ servers: s }) => s.map((x) => [refKey(x), x]))).values(),
  ].filter((server) => !snapshot.secrets.some((secret) => serversOwn(graph, server, secret)));
  const owners = new Map<string, CustomOwnerRead>();
  const secrets: { namespace: string; name: string; rank: number }[] = [];
  for (const server of servers) {
    const namespace = server.namespace ?? '';
    const pods = graph.podsOf(server);
    const { owner } = pods[0] ? customControllerOf(snapshot, pods[0]) : {};
    const object = owner
      ? snapshot.customObjects.find(
          (o) => o.kind === owner.kind && o.metadata?.namespace === namespace && o.metadata?.name === owner.name,
        )
      : undefined;
    if (owner && !object) {
      const kind = customKind(snapshot, owner);
      owners.set(`${namespace}/${kind.group}/${kind.kind}`, { ...kind, namespace });
    }
    const named = [
      ...[...podReferences(pods).secrets].map((name) => ({ name, rank: 1 })),
      ...secretNamesIn(object?.spec),
    ];
    for (const { name, rank } of named) {
      if (
        asked.has(`${namespace}/${name}`) ||
        snapshot.secrets.some((x) => x.metadata?.namespace === namespace && x.metadata?.name === name)
      )
        continue;
      if (!secrets.some((x) => x.namespace === namespace && x.name === name)) secrets.push({ namespace, name, rank });
    }
  }
  return {
    owners: [...owners.values()].slice(0, 1),
    secrets: secrets
      .sort((a, b) => a.rank - b.rank)
      .slice(0, MAX_SERVER_SECRETS)
      .map(({ namespace, name }) => ({ namespace, name })),
  };
}
