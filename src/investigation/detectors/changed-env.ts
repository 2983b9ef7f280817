import { runsOtherCode } from '../evidence/code-change.ts';
import { envChanges, envWrittenAt, quotesEnvChange, reportsOnly } from '../evidence/env-changes.ts';
import { looksLikeError } from '../evidence/log-line.ts';
import { divergedFromPeers } from '../evidence/peer-settings.ts';
import { lastDistinct, logEvidence, logLinesOf } from '../evidence/logs.ts';
import { isPodReady } from '../evidence/pod-state.ts';
import type { EvidenceGraph } from '../evidence/graph.ts';
import { podRevisionRollouts } from '../evidence/pod-revisions.ts';
import { refusedAt } from '../evidence/refused-clients.ts';
import { toMs } from '../evidence/time.ts';
import { revisionOf } from '../evidence/revisions.ts';
import { recentRollouts, rollbackProposal } from '../evidence/rollout.ts';
import type { ClusterSnapshot } from '../evidence/snapshot.ts';
import type { Container, Workload } from '../evidence/workloads.ts';
import type { Finding } from '../model.ts';
import { callersFailingSince } from './callers-failing-since.ts';
import { type Detector, finding } from './detector.ts';

/** How sure a finding is (the scale: detectors/detector.ts). */
const STRENGTH = {
  /** The workload's errors quote the value (or the name) the new revision changed. */
  quoted: 0.85,
  /** Servers log its pods' addresses among the clients they refuse since the revision that changed it. */
  refusedSince: 0.8,
  /** Its callers, unchanged, fail since the revision that changed it, while its own pods run: they fail on its answers. */
  callersFailSince: 0.6,
  /**
   * Nothing fails, but the value it changed is one its peers on the same store still hold: a lead when nothing else
   * explains the alert, below any failure seen.
   */
  divergedFromPeers: 0.5,
  /** Its pods fail since the revision that changed it, but no error quotes it. */
  failingSince: 0.55,
  /**
   * The write that made the revision set the value (its managedFields say so, the revision replaced no longer does),
   * and its errors since quote it: the spec and the errors agree, what it was before is unknown.
   */
  writtenQuoted: 0.8,
} as const;

/** An env value changed by the newest revision that the workload's errors now quote (a wrong database name, URL, mode…). */
export const changedEnv: Detector = {
  id: 'changed-env',
  faultTypes: ['bad-env'],
  detect(snapshot, graph) {
    const findings: Finding[] = [];
    for (const { workload, revision, before, after, at } of envRollouts(snapshot, graph)) {
      const pods = graph.podsOf(workload.ref);
      const lines = logLinesOf(
        snapshot,
        workload.ref.namespace ?? '',
        pods.map((p) => p.metadata?.name ?? ''),
      );
      const diffed = envChanges(before, after);
      if (diffed.length === 0) {
        const written = writtenAndQuoted(workload, after, at, lines);
        if (written) findings.push(written);
        continue;
      }
      const changes = diffed;
      const quoted = changes.filter((c) => lines.some((l) => quotesEnvChange(l.text, c)));
      const failing = pods.some((p) => !isPodReady(p));
      // Servers that log its pods' addresses among the clients they refuse (a handshake, a login): it changed how it
      // connects, and the other side says so even when its own pods run ready and log nothing.
      const refused = refusedAt(
        snapshot,
        new Set(pods.map((p) => p.status?.podIP ?? '').filter((ip) => ip !== '')),
        new Set(pods.map((p) => `${p.metadata?.namespace}/${p.metadata?.name}`)),
      ).filter((line) => (toMs(line.at) ?? Number.POSITIVE_INFINITY) >= (toMs(at) ?? 0));
      // Callers that lived with its old answers and fail since it changed: a setting that changes what it answers.
      const victims = changes.every(reportsOnly) ? [] : callersFailingSince(snapshot, graph, workload.ref, at);
      // Peers sharing its store still hold the value it changed: the two sides no longer agree on how to use it.
      const diverged = divergedFromPeers(workload, after, changes, graph.workloads);
      if (quoted.length === 0 && !failing && refused.length === 0 && victims.length === 0 && diverged.length === 0)
        continue;
      // New code beside env lines that only set what the process reports, which no error quotes: the code fails.
      if (quoted.length === 0 && changes.every(reportsOnly) && runsOtherCode(before, after)) continue;
      const shown = quoted[0] ?? diverged[0]?.change ?? changes[0];
      if (!shown) continue;
      const telling = lastDistinct(lines, (t) => quotesEnvChange(t, shown), 2);
      const fault: Finding = finding(changedEnv, {
        entity: workload.ref,
        affects: [workload.ref, ...victims],
        strength: strengthOf(quoted.length > 0, refused.length > 0, failing, victims.length > 0, diverged.length > 0),
        summary: `${workload.ref.name} revision ${revision} changed env ${shown.name} from "${shown.before ?? ''}" to "${shown.value}"${quoted.length > 0 ? ', and its errors quote it' : refused.length > 0 ? ', and the servers it connects to refuse its pods since (their logs name its addresses)' : failing ? ' and its pods fail since' : victims.length > 0 ? `, and ${victims.map((v) => v.name).join(', ')}, calling it, fail since` : `, while ${diverged[0]?.peers.join(', ')}, configured with the same store, still use "${shown.before ?? ''}"`}`,
        evidence: [
          ...changes.slice(0, 3).map((c) => ({
            source: 'change' as const,
            ref: workload.ref,
            text: `env ${c.name}: "${c.before ?? ''}" → "${c.value}"`,
            at,
          })),
          ...telling.map(logEvidence),
          ...(quoted.length > 0 ? [] : refused.map(logEvidence)),
        ],
        changedAt: at,
      });
      const remediation = rollbackProposal(snapshot, workload.ref, `${shown.name} was "${shown.before ?? ''}"`);
      if (remediation) fault.remediation = remediation;
      findings.push(fault);
    }
    return findings;
  },
};

/**
 * A rollout whose revision replaced holds the same env as the new one, while the workload's managedFields say the write
 * that made the new revision set env values (envWrittenAt): what changed is what that write set. Only errors logged
 * since the rollout that quote such a value make it the finding — the value before is unknown, so nothing weaker
 * (pods failing, callers failing) is taken for its effect.
 */
function writtenAndQuoted(
  workload: Workload,
  after: Container[],
  at: string | undefined,
  lines: ReturnType<typeof logLinesOf>,
): Finding | undefined {
  const since = toMs(at);
  if (since === undefined) return undefined;
  const errors = lines.filter((l) => looksLikeError(l.text) && (toMs(l.at) ?? Number.NEGATIVE_INFINITY) >= since);
  const written = envWrittenAt(workload.metadata, at, after).filter((c) => !reportsOnly(c));
  const quoted = written.find((c) => errors.some((l) => quotesEnvChange(l.text, c)));
  if (!quoted) return undefined;
  return finding(changedEnv, {
    entity: workload.ref,
    affects: [workload.ref],
    strength: STRENGTH.writtenQuoted,
    summary: `${workload.ref.name} was rolled out with env ${quoted.name} set to "${quoted.value}" (the write its managedFields record at the rollout), and its errors since quote it`,
    evidence: [
      ...written.slice(0, 3).map((c) => ({
        source: 'change' as const,
        ref: workload.ref,
        text: `env ${c.name} set to "${c.value}"`,
        at,
      })),
      ...lastDistinct(errors, (t) => quotesEnvChange(t, quoted), 2).map(logEvidence),
    ],
    changedAt: at as string,
  });
}

function strengthOf(
  quoted: boolean,
  refused: boolean,
  failing: boolean,
  callersCrash: boolean,
  diverged: boolean,
): number {
  if (quoted) return STRENGTH.quoted;
  if (refused) return STRENGTH.refusedSince;
  if (failing) return STRENGTH.failingSince;
  return callersCrash ? STRENGTH.callersFailSince : diverged ? STRENGTH.divergedFromPeers : 0;
}

/** A rollout's containers before and after it: a Deployment's (or ReplicaSet owner's) revisions, or a StatefulSet's or DaemonSet's pods of the replaced and the new revision. */
interface EnvRollout {
  workload: Workload;
  revision: string;
  before: Container[];
  after: Container[];
  at: string | undefined;
}

export function envRollouts(snapshot: ClusterSnapshot, graph: EvidenceGraph): EnvRollout[] {
  return [
    ...recentRollouts(snapshot, graph).map(({ workload, current, previous }) => ({
      workload,
      revision: String(revisionOf(current)),
      before: previous.spec?.template?.spec?.containers ?? [],
      after: current.spec?.template?.spec?.containers ?? [],
      at: current.metadata?.creationTimestamp,
    })),
    ...podRevisionRollouts(snapshot, graph).flatMap(({ workload, revision, updated, previous, since }) => {
      const [before, after] = [previous[0]?.spec?.containers, updated[0]?.spec?.containers];
      return before && after ? [{ workload, revision, before, after, at: since }] : [];
    }),
  ];
}
