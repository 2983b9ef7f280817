import { AUTH_FAILURE } from '../evidence/auth-refusal.ts';
import { changeEvidence, configChangedAt, configObject } from '../evidence/config-change.ts';
import { type EvidenceGraph, refOf } from '../evidence/graph.ts';
import { lastDistinct, logEvidence, logLinesOf, logsRead } from '../evidence/logs.ts';
import { rolledOwnChange } from '../evidence/own-rollout.ts';
import { secretsTheResourceNames } from '../evidence/resource-secrets.ts';
import type { ClusterSnapshot } from '../evidence/snapshot.ts';
import { toMs } from '../evidence/time.ts';
import { changeReaches } from '../evidence/picked-up.ts';
import type { EntityRef, Finding } from '../model.ts';
import { refKey } from '../model.ts';
import { type Detector, finding } from './detector.ts';
import { changedBeforeOnset, EDITED_SECRET_WINDOW, symptomOnset } from '../evidence/onset.ts';
import { DATA_PLANE_REFUSAL } from '../evidence/mesh-proxy-logs.ts';

/** How sure a finding is (the scale: detectors/detector.ts). */
const STRENGTH = {
  /** Authentication fails, and the Secret changed shortly before: the change and the errors agree. */
  changedBeforeFailures: 0.85,
  /** Authentication fails and this is the only credential involved, but it did not change recently. */
  onlyCredential: 0.55,
  /** Edited shortly before the symptom, but its readers' logs were not read: a lead, weaker than any seen failure. */
  editedUnread: 0.4,
} as const;

const IPV4 = /\b\d{1,3}(?:\.\d{1,3}){3}\b/g;

/**
 * The Secrets the server's callers present to it. A server that refuses a login names the client (its address, in
 * the lines): only the callers whose pods have that address. Of each caller's Secrets, those its env reads beside the
 * setting that names the server (DB_HOST → DB_USER, DB_PASSWORD): its other Secrets are for other servers.
 */
function clientCredentials(
  server: EntityRef,
  lines: { text: string }[],
  graph: EvidenceGraph,
): { secret: EntityRef; owner: EntityRef }[] {
  const edges = graph
    .servicesOf(server)
    .flatMap((s) =>
      graph.callersOf({ kind: 'Service', namespace: s.metadata?.namespace ?? '', name: s.metadata?.name ?? '' }),
    );
  const addresses = new Set(lines.flatMap((line) => line.text.match(IPV4) ?? []));
  const named = edges.filter((edge) => graph.podsOf(edge.from).some((pod) => addresses.has(pod.status?.podIP ?? '')));
  return (named.length > 0 ? named : edges).flatMap((edge) => {
    const all = graph.referencesOf(edge.from).filter((r) => r.target.kind === 'Secret');
    const beside = secretsBeside(
      graph.podSpecOf(edge.from),
      edge.evidence.map((e) => e.text),
    );
    const chosen = beside.size > 0 ? all.filter((r) => beside.has(r.target.name)) : all;
    return chosen.map((r) => ({ secret: r.target, owner: edge.from }));
  });
}

/** Secrets read by env vars sharing the prefix of the env var that names the server (`env DB_HOST=…` → `DB_`). */
function secretsBeside(spec: ReturnType<EvidenceGraph['podSpecOf']>, proofs: string[]): Set<string> {
  const prefixes = proofs.flatMap((text) => {
    const name = /^env ([A-Za-z_][\w]*?_)[A-Za-z0-9]+[= ]/.exec(text)?.[1];
    return name ? [name] : [];
  });
  const names = new Set<string>();
  for (const container of spec?.containers ?? []) {
    for (const env of container.env ?? []) {
      const secret = env.valueFrom?.secretKeyRef?.name;
      if (secret && prefixes.some((prefix) => env.name.startsWith(prefix))) names.add(secret);
    }
  }
  return names;
}

/**
 * The Secrets a workload's software logs in with: those its pod template names, and those the operator's resource that
 * makes its pods names for it (evidence/resource-secrets.ts).
 */
function secretsReadBy(snapshot: ClusterSnapshot, graph: EvidenceGraph, owner: EntityRef): EntityRef[] {
  const secrets = [
    ...graph
      .referencesOf(owner)
      .filter((r) => r.target.kind === 'Secret')
      .map((r) => r.target),
    ...secretsTheResourceNames(snapshot, graph.podsOf(owner)),
  ];
  return [...new Map(secrets.map((s) => [refKey(s), s])).values()];
}

/** Authentication failures against a peer right after a Secret on either side changed: the Secret's value is wrong. */
export const badSecretValue: Detector = {
  id: 'bad-secret-value',
  faultTypes: ['bad-secret-value'],
  detect(snapshot, graph, alert) {
    const onset = symptomOnset(snapshot, alert?.startsAt);
    const findings = new Map<string, Finding>();
    for (const workload of graph.workloads) {
      const pods = graph.podsOf(workload.ref).map((p) => p.metadata?.name ?? '');
      const lines = lastDistinct(
        logLinesOf(snapshot, workload.ref.namespace ?? '', pods),
        // A data plane's own refusal (a mesh policy's 403, a proxy's unauthorized route) refuses a request by rule,
        // not a credential the application presents: the governing policy's, not a Secret's.
        (t) => AUTH_FAILURE.test(t) && !DATA_PLANE_REFUSAL.test(t),
        2,
      );
      if (lines.length === 0) continue;
      const peers = graph
        .dependenciesOf(workload.ref)
        .filter((d) => d.evidence.some((e) => e.source === 'log' && lines.some((l) => l.text === e.text)))
        .flatMap((d) => {
          const service = graph.service(d.to.namespace ?? '', d.to.name);
          return service ? graph.workloadsBehind(service) : [];
        });
      // The credential may sit on either side: the caller that presents it, or the server (or its callers) that checks it.
      // A peer its lines name that calls it (the client a server names by address) presents a credential: its own.
      const clients = clientCredentials(workload.ref, lines, graph);
      const own = [workload.ref, ...peers.filter((p) => !clients.some((c) => refKey(c.owner) === refKey(p)))].flatMap(
        (owner) => secretsReadBy(snapshot, graph, owner).map((secret) => ({ secret, owner })),
      );
      const secrets = [...own, ...clients];
      const involved = secrets
        .map((s) => {
          const object = configObject(snapshot, s.secret);
          return { ...s, changedAt: configChangedAt(object), exists: !!object };
        })
        .filter((s) => s.exists);
      const recent = involved
        .filter((s) => changedBeforeOnset(s.changedAt, onset))
        .sort((a, b) => (b.changedAt ?? '').localeCompare(a.changedAt ?? ''));
      // No recent change to point at, but a single credential on either side: the likeliest culprit, weakly.
      const distinct = [...new Map(involved.map((s) => [refKey(s.secret), s])).values()];
      const best = recent[0] ?? (distinct.length === 1 ? distinct[0] : undefined);
      if (!best) continue;
      const isRecent = recent.length > 0;
      const key = refKey(best.secret);
      const existing = findings.get(key);
      if (existing) {
        existing.affects.push(workload.ref);
        existing.evidence.push(...lines.map(logEvidence));
        continue;
      }
      findings.set(
        key,
        finding(badSecretValue, {
          entity: best.secret,
          affects: [workload.ref, ...peers],
          strength: isRecent ? STRENGTH.changedBeforeFailures : STRENGTH.onlyCredential,
          summary: `Secret ${best.secret.name} (used by ${best.owner.name})${isRecent ? ` changed at ${best.changedAt};` : ' is the only credential involved;'} ${clients.some((c) => refKey(c.owner) === refKey(best.owner)) ? `${workload.ref.name} refuses the credentials ${best.owner.name} presents` : `${workload.ref.name} fails to authenticate`}: "${lines[0]?.text.slice(0, 140)}"`,
          evidence: [
            ...(isRecent ? [changeEvidence(best.secret, best.changedAt as string)] : []),
            ...lines.map(logEvidence),
            { source: 'graph', ref: best.owner, text: `${best.owner.name} reads Secret ${best.secret.name}` },
          ],
          ...(isRecent ? { changedAt: best.changedAt as string } : {}),
        }),
      );
    }
    // A Secret edited shortly before, whose readers' logs were never read: a weak suspicion, kept for when nothing
    // stronger explains the symptom.
    for (const secret of snapshot.secrets) {
      const ref = refOf('Secret', secret.metadata);
      const changedAt = configChangedAt(secret);
      const edited = changedAt !== undefined && changedAt !== secret.metadata?.creationTimestamp;
      if (!edited || findings.has(refKey(ref)) || !changedBeforeOnset(changedAt, onset, EDITED_SECRET_WINDOW)) continue;
      // Readers the new value reached (evidence/picked-up.ts): env is resolved when a container starts.
      const changed = toMs(changedAt) as number;
      const readers = graph.workloadsReferencing(ref).filter((w) =>
        changeReaches(
          graph.podsOf(w),
          graph.referencesOf(w).filter((r) => refKey(r.target) === refKey(ref)),
          changed,
        ),
      );
      const unread = readers.filter((w) => {
        const pods = graph.podsOf(w).map((p) => p.metadata?.name ?? '');
        return !logsRead(snapshot, w.namespace, pods);
      });
      if (readers.length === 0 || unread.length < readers.length) continue;
      // A reader that rolled out new code or settings of its own in the same window changed in front of it: unread,
      // nothing singles the Secret's edit out of the two, and the rollout says what it changed.
      if (readers.some((reader) => rolledOwnChange(snapshot, reader, (at) => changedBeforeOnset(at, onset)))) continue;
      findings.set(
        refKey(ref),
        finding(badSecretValue, {
          entity: ref,
          affects: readers,
          strength: STRENGTH.editedUnread,
          summary: `Secret ${ref.name} was edited at ${changedAt}, shortly before the symptom; ${readers.map((r) => r.name).join(', ')} read it (their logs were not read)`,
          evidence: [changeEvidence(ref, changedAt)],
          changedAt,
        }),
      );
    }
    return [...findings.values()];
  },
};
