import { type EvidenceGraph, refOf } from '../evidence/graph.ts';
import { looksLikeError } from '../evidence/log-line.ts';
import { logEvidence, logLinesOf } from '../evidence/logs.ts';
import type { ClusterSnapshot } from '../evidence/snapshot.ts';
import { toMs } from '../evidence/time.ts';
import { type Finding, refKey } from '../model.ts';
import { type Detector, finding } from './detector.ts';

/** The Job's own status says it failed (and no later run of its CronJob recovered): the fault is stated. */
const STRENGTH = 0.9;

/**
 * A Job that gave up (BackoffLimitExceeded, DeadlineExceeded). Whatever in its own spec made it fail (an address, an
 * argument), the fault types call that a job-failure; the fault is stated at the CronJob when one owns the Job, since its
 * job template is what the next run is made from.
 */
export const jobFailure: Detector = {
  id: 'job-failure',
  faultTypes: ['job-failure'],
  detect(snapshot, graph) {
    return [...failedJobs(snapshot), ...batchNamedByFailures(snapshot, graph)];
  },
};

function failedJobs(snapshot: ClusterSnapshot): Finding[] {
  return snapshot.jobs.flatMap((job): Finding[] => {
    const failed = (job.status?.conditions ?? []).find((c) => c.type === 'Failed' && c.status === 'True');
    if (!failed) return [];
    const ref = refOf('Job', job.metadata);
    const owner = job.metadata?.ownerReferences?.find((o) => o.kind === 'CronJob');
    const cronJob = owner ? { kind: 'CronJob', namespace: ref.namespace ?? '', name: owner.name } : undefined;
    // A later run of the same CronJob that succeeded makes this failure history.
    const recovered = snapshot.jobs.some(
      (later) =>
        later.metadata?.namespace === job.metadata?.namespace &&
        later.metadata?.ownerReferences?.some((o) => o.kind === 'CronJob' && o.name === owner?.name) &&
        (later.metadata?.creationTimestamp ?? '') > (job.metadata?.creationTimestamp ?? '') &&
        (later.status?.conditions ?? []).some((c) => c.type === 'Complete' && c.status === 'True'),
    );
    if (owner && recovered) return [];
    return [
      finding(jobFailure, {
        entity: cronJob ?? ref,
        affects: [ref, ...(cronJob ? [cronJob] : [])],
        strength: STRENGTH,
        summary:
          `${cronJob ? `CronJob ${cronJob.name}: its ` : ''}Job ${ref.name} failed: ${failed.reason ?? ''} ${failed.message ?? ''}`.trim(),
        // Undated on purpose: Failed=True is the Job's state now, however long ago it turned so (a nightly Job that
        // failed at 2 a.m. is still the missing backup at noon), never history.
        evidence: [
          {
            source: 'status',
            ref,
            text: `Failed=True since ${failed.lastTransitionTime ?? '?'} ${failed.reason ?? ''}: ${failed.message ?? ''}; ${job.status?.failed ?? 0} failed pods`,
          },
        ],
        changedAt: failed.lastTransitionTime ?? job.metadata?.creationTimestamp,
      }),
    ];
  });
}

/** A scheduled job's runs keep what other runs need: words of its name, in their errors, say which one. */
const NAMED_BY_FAILURES = 0.85;
/** Name parts too common to tell one scheduled job from another. */
const GENERIC_PARTS = new Set([
  'cron',
  'job',
  'jobs',
  'nightly',
  'daily',
  'hourly',
  'weekly',
  'task',
  'batch',
  'worker',
  'sync',
]);

/**
 * A CronJob whose latest scheduled run did not succeed (its last success is older than its last schedule), whose
 * name's distinctive parts (two or more) the errors of failed runs elsewhere quote: `footprint-partition-roll` for
 * `no partition of relation "scene_footprints"`. What it should have made is what those runs lack: it is the fault,
 * and they its victims (job-failure).
 */
function batchNamedByFailures(snapshot: ClusterSnapshot, graph: EvidenceGraph): Finding[] {
  const failed = snapshot.pods.filter((pod) => pod.spec?.restartPolicy !== 'Always' && pod.status?.phase === 'Failed');
  const findings: Finding[] = [];
  for (const cronJob of snapshot.cronJobs) {
    const status = cronJob.status;
    const lastRun = toMs(status?.lastScheduleTime);
    if (lastRun === undefined || (toMs(status?.lastSuccessfulTime) ?? 0) >= lastRun) continue;
    const name = cronJob.metadata?.name ?? '';
    const parts = name.split('-').filter((part) => part.length >= 4 && !GENERIC_PARTS.has(part));
    if (parts.length < 2) continue;
    const victims = failed.filter((pod) => !pod.metadata?.name?.startsWith(`${name}-`));
    const lines = victims.flatMap((pod) =>
      logLinesOf(snapshot, pod.metadata?.namespace ?? '', [pod.metadata?.name ?? ''])
        .filter((line) => looksLikeError(line.text))
        .map((line) => ({ pod, line })),
    );
    const words = (text: string) => text.toLowerCase().split(/[^a-z0-9]+/);
    const quoting = lines.filter(({ line }) => {
      const said = words(line.text);
      return parts.filter((part) => said.some((word) => word === part || word === `${part}s`)).length >= 2;
    });
    if (quoting.length === 0) continue;
    const ref = refOf('CronJob', cronJob.metadata);
    const affected = [...new Map(quoting.map(({ pod }) => graph.workloadOf(pod)).map((w) => [refKey(w), w])).values()];
    findings.push(
      finding(jobFailure, {
        entity: ref,
        affects: affected,
        strength: NAMED_BY_FAILURES,
        summary: `CronJob ${name}: its runs fail (last success ${status?.lastSuccessfulTime ?? 'never'}, last run ${status?.lastScheduleTime}), and failed runs of ${affected.map((w) => w.name).join(', ')} lack what it makes: "${quoting[0]?.line.text.slice(0, 140)}"`,
        evidence: [
          {
            source: 'status',
            ref,
            text: `last scheduled ${status?.lastScheduleTime}, last successful ${status?.lastSuccessfulTime ?? 'never'}`,
          },
          ...quoting.slice(-2).map(({ line }) => logEvidence(line)),
        ],
        changedAt: status?.lastScheduleTime ?? undefined,
      }),
    );
  }
  return findings;
}
