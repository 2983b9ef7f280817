import { calleesOf, type EvidenceGraph, refOf } from '../evidence/graph.ts';
import type { ClusterSnapshot } from '../evidence/snapshot.ts';
import { hasRestarted, isPodReady } from '../evidence/pod-state.ts';
import { type PodRevisionRollout, podRevisionRollouts } from '../evidence/pod-revisions.ts';
import { revisionOf } from '../evidence/revisions.ts';
import { recentRollouts, rollbackProposal } from '../evidence/rollout.ts';
import { lastDistinct, logEvidence, logLinesOf, logsRead } from '../evidence/logs.ts';
import type { ReplicaSet } from '../evidence/revisions.ts';
import type { Pod } from '../evidence/workloads.ts';
import type { EntityRef, Evidence, Finding } from '../model.ts';
import { type Detector, finding } from './detector.ts';
import { HOUR, toMs } from '../evidence/time.ts';
import { codeChanges } from '../evidence/code-change.ts';
import { envChanges } from '../evidence/env-changes.ts';
import { failsToReach } from '../evidence/connection-failures.ts';
import { looksLikeError, RESOLVE_ERROR, SERVER_ERROR_ANSWER } from '../evidence/log-line.ts';
import { CHANGE_WINDOW, changedBeforeOnset, type Onset, symptomOnset } from '../evidence/onset.ts';
import { AUTH_FAILURE } from '../evidence/auth-refusal.ts';

const DAY = 24 * HOUR;

/**
 * How sure a finding is (the scale: detectors/detector.ts). Symptomatic: a failing new revision says where to look,
 * not why; a specific finding about the same workload leads (SYMPTOMATIC in ranking/victims.ts).
 */
const STRENGTH = {
  /** The previous revision was serving: the change is what broke it. */
  previousServed: 0.6,
  /** Nothing shows the previous revision served: the rollout may have inherited the fault. */
  unknownBefore: 0.45,
  /** Its pods run, but log errors that pods of the previous revision beside them, read, do not. */
  erringBesideClean: 0.65,
  /** Its pods run and log errors; the previous revision's pods beside them were not read. */
  erring: 0.4,
  /**
   * It replaced every pod of the revision before with other code (image, command or arguments), just before the onset,
   * and its pods, ready, log errors of their own since: no callee's failure, connection or login, and no callee of it
   * failing before it. Between `erring` and a change the errors quote: nothing left serves the old code to compare with,
   * but what it runs since is all that changed in it.
   */
  erringReplaced: 0.5,
} as const;

/** A Deployment whose newest revision, rolled out shortly before, has failing pods while the previous one was fine. */
export const badRollout: Detector = {
  id: 'bad-rollout',
  faultTypes: ['bad-rollout'],
  detect(snapshot, graph, alert) {
    const findings: Finding[] = [];
    const onset = symptomOnset(snapshot, alert?.startsAt);
    for (const { workload, current, previous } of recentRollouts(snapshot, graph)) {
      const pods = graph
        .podsOf(workload.ref)
        .filter((p) => p.metadata?.ownerReferences?.some((o) => o.name === current.metadata?.name));
      const failing = pods.filter((p) => !isPodReady(p) || hasRestarted(p));
      if (pods.length > 0 && failing.length === 0) {
        const canary =
          erringRevision(snapshot, graph, workload.ref, current, pods) ??
          replacedCodeErring(snapshot, graph, { workload: workload.ref, current, previous }, pods, onset);
        if (canary) findings.push(canary);
        continue;
      }
      if (pods.length === 0 && (current.spec?.replicas ?? 0) === 0) continue;
      // Still serving, or it ran a day before the new revision replaced it (a Recreate rollout scales it to zero first).
      const ranFor =
        (toMs(current.metadata?.creationTimestamp) ?? 0) - (toMs(previous.metadata?.creationTimestamp) ?? Infinity);
      const previousWasFine =
        (previous.status?.readyReplicas ?? 0) > 0 ||
        (previous.status?.replicas ?? 0) > 0 ||
        (workload.readyReplicas ?? 0) > 0 ||
        ranFor >= DAY;
      const fault: Finding = finding(badRollout, {
        entity: workload.ref,
        affects: [workload.ref],
        strength: previousWasFine ? STRENGTH.previousServed : STRENGTH.unknownBefore,
        summary: `${workload.ref.name} revision ${revisionOf(current)} (rolled out ${current.metadata?.creationTimestamp}) has ${failing.length}/${pods.length} failing pods; revision ${revisionOf(previous)} was serving`,
        evidence: [
          revisionCreated(current),
          ...failing.slice(0, 2).map((p) => ({
            source: 'status' as const,
            ref: refOf('Pod', p.metadata),
            text: `pod ${p.metadata?.name} not ready`,
          })),
        ],
        changedAt: current.metadata?.creationTimestamp,
      });
      const remediation = rollbackProposal(snapshot, workload.ref, 'the last revision that served');
      if (remediation) fault.remediation = remediation;
      findings.push(fault);
    }
    for (const rollout of podRevisionRollouts(snapshot, graph)) {
      const fault = podRevisionFinding(rollout);
      if (fault) findings.push(fault);
    }
    return findings;
  },
};

/** The change that starts a rollout: the new revision's ReplicaSet, created. */
function revisionCreated(current: ReplicaSet): Evidence {
  return {
    source: 'change',
    ref: refOf('ReplicaSet', current.metadata),
    text: `ReplicaSet ${current.metadata?.name} revision ${revisionOf(current)} created`,
    at: current.metadata?.creationTimestamp,
  };
}

/**
 * A new revision whose pods all run but log errors, beside pods of the revisions before it (a canary step, a rollout
 * in progress) whose logs read show none: the new code fails where the old did not (a path it calls that the server
 * lacks, a changed default). Weaker than pods failing: stronger when an older pod's log was read and is clean.
 */
function erringRevision(
  snapshot: ClusterSnapshot,
  graph: EvidenceGraph,
  workload: EntityRef,
  current: ReplicaSet,
  pods: Pod[],
): Finding | undefined {
  const namespace = workload.namespace ?? '';
  const names = (list: Pod[]) => list.map((p) => p.metadata?.name ?? '');
  const lines = logLinesOf(snapshot, namespace, names(pods));
  const older = graph.podsOf(workload).filter((p) => !pods.includes(p) && isPodReady(p));
  if (lines.length === 0 || older.length === 0) return undefined;
  const olderRead = older.filter((p) => logsRead(snapshot, namespace, [p.metadata?.name ?? '']));
  if (logLinesOf(snapshot, namespace, names(olderRead)).length > 0) return undefined;
  const clean = olderRead.length > 0;
  return finding(badRollout, {
    entity: workload,
    affects: [workload],
    strength: clean ? STRENGTH.erringBesideClean : STRENGTH.erring,
    summary: `${workload.kind} ${workload.name} revision ${revisionOf(current)} (rolled out ${current.metadata?.creationTimestamp}) logs errors on its pods${clean ? `, while ${olderRead.length} pod(s) of the revision before it, serving beside them, log none` : ` beside ${older.length} pod(s) of the revision before it`}: "${lines.at(-1)?.text.slice(0, 140)}"`,
    evidence: [revisionCreated(current), ...lastDistinct(lines, () => true, 2).map(logEvidence)],
    changedAt: current.metadata?.creationTimestamp,
  });
}

/**
 * A new revision that replaced every pod of the one before with other code (its containers' image, command or
 * arguments changed), rolled out within the change window before the symptom began, whose pods all run ready and log
 * errors of their own since it started. Health checks pass, so the rollout completed; what its code does on a path the
 * probes do not touch fails (a call with a new argument, a column a migration never added). The errors must be its own:
 * not a callee's failure it relays (connection, name lookup, login, timeout, a callee's server error), and no callee of
 * it may have logged errors before the rollout (then the fault was there first). A revision whose template changed
 * only in what follows a ConfigMap (an env or annotation hash) runs the same code: the ConfigMap's change is judged
 * elsewhere.
 */
function replacedCodeErring(
  snapshot: ClusterSnapshot,
  graph: EvidenceGraph,
  { workload, current, previous }: { workload: EntityRef; current: ReplicaSet; previous: ReplicaSet },
  pods: Pod[],
  onset: Onset,
): Finding | undefined {
  const namespace = workload.namespace ?? '';
  const rolled = toMs(current.metadata?.creationTimestamp);
  if (rolled === undefined || !changedBeforeOnset(rolled, onset, CHANGE_WINDOW)) return undefined;
  if (graph.podsOf(workload).some((p) => !pods.includes(p))) return undefined;
  const containers = (rs: ReplicaSet) => rs.spec?.template?.spec?.containers ?? [];
  const code = codeChanges(containers(previous), containers(current));
  if (code.length === 0) return undefined;
  // The same revision set other settings too: which of the two its errors come from is the env detectors' to judge.
  if (envChanges(containers(previous), containers(current)).some((change) => !CONFIG_HASH.test(change.value))) {
    return undefined;
  }
  // Only the containers that run other code speak for it: a sidecar's new image says nothing of the application's errors.
  const changed = new Set(code.map((c) => c.container));
  const own = logLinesOf(
    snapshot,
    namespace,
    pods.map((p) => p.metadata?.name ?? ''),
  ).filter((l) => changed.has(l.container) && (toMs(l.at) ?? 0) >= rolled && ownError(l.text));
  if (own.length === 0 || calleeErredBefore(snapshot, graph, workload, rolled)) return undefined;
  const fault = finding(badRollout, {
    entity: workload,
    affects: [workload],
    strength: STRENGTH.erringReplaced,
    summary: `${workload.kind} ${workload.name} revision ${revisionOf(current)} (rolled out ${current.metadata?.creationTimestamp}: ${code.map((c) => c.change).join('; ')}) replaced every pod of revision ${revisionOf(previous)}; they run ready but log errors of their own since: "${own.at(-1)?.text.slice(0, 140)}"`,
    evidence: [revisionCreated(current), ...lastDistinct(own, () => true, 2).map(logEvidence)],
    changedAt: current.metadata?.creationTimestamp,
  });
  const remediation = rollbackProposal(snapshot, workload, 'the revision whose code served');
  if (remediation) fault.remediation = remediation;
  return fault;
}

/** A value that only follows a ConfigMap or Secret (a checksum a tool writes into the template): the same code. */
const CONFIG_HASH = /^(sha256:)?[0-9a-f]{8,}$/i;

/** Words of a callee too slow or unavailable to answer (ownError's other tests catch the rest of a relayed failure). */
const RELAYED = /timed? ?out|timeout|deadline|unavailable/i;

/**
 * A request answered with a client error (`Not Found: /v3/notes`, an access line `"GET /x HTTP/1.1" 404`, any 4xx):
 * the server does its job; the caller that asks is what changed. Wider than log-line.ts's answersClientError (which
 * leaves 401/403/429 to the credential and limit detectors and wants a method or path): here any of them is not the
 * process's own error.
 */
const ANY_CLIENT_ERROR = /not found|\bHTTP\/[\d.]+"?\s+4\d\d\b|\bstatus(?:[ _]?code)?["']?\s*[=:]\s*["']?4\d\d\b/i;

/** An error line about the process's own work, not about a callee it could not reach, resolve, log in to or wait for. */
const ownError = (text: string): boolean =>
  looksLikeError(text) &&
  !failsToReach(text) &&
  !RESOLVE_ERROR.test(text) &&
  !AUTH_FAILURE.test(text) &&
  !SERVER_ERROR_ANSWER.test(text) &&
  !ANY_CLIENT_ERROR.test(text) &&
  !RELAYED.test(text);

/** Whether a workload it calls logged an error line before `at` (or undated): a fault that was there before the rollout. */
function calleeErredBefore(snapshot: ClusterSnapshot, graph: EvidenceGraph, workload: EntityRef, at: number): boolean {
  return calleesOf(graph, workload).some((callee) =>
    logLinesOf(
      snapshot,
      callee.namespace ?? '',
      graph.podsOf(callee).map((p) => p.metadata?.name ?? ''),
    ).some((l) => looksLikeError(l.text) && (toMs(l.at) ?? Number.NEGATIVE_INFINITY) < at),
  );
}

/**
 * A StatefulSet's or DaemonSet's rollout whose updated pods fail: the same claim as a Deployment's new revision, read
 * from the pods' revision labels; the pods still on the replaced revision serving show that the change broke it.
 */
function podRevisionFinding({ workload, revision, updated, previous, since }: PodRevisionRollout): Finding | undefined {
  const failing = updated.filter((p) => !isPodReady(p) || hasRestarted(p));
  if (failing.length === 0) return undefined;
  const serving = previous.filter((p) => isPodReady(p));
  return finding(badRollout, {
    entity: workload.ref,
    affects: [workload.ref],
    strength: serving.length > 0 ? STRENGTH.previousServed : STRENGTH.unknownBefore,
    summary: `${workload.ref.kind} ${workload.ref.name} rolls out revision ${revision} (since ${since}): ${failing.length}/${updated.length} updated pods failing${serving.length > 0 ? `, while ${serving.length} pods of the revision it replaces serve` : ''}`,
    evidence: [
      {
        source: 'change',
        ref: workload.ref,
        text: `revision ${revision} reached its first pod at ${since}`,
        at: since,
      },
      ...failing.slice(0, 2).map((p) => ({
        source: 'status' as const,
        ref: refOf('Pod', p.metadata),
        text: `pod ${p.metadata?.name} of revision ${revision} not ready`,
      })),
    ],
    changedAt: since,
  });
}
