import type { EntityRef } from '../model.ts';
import { firstRunBetween } from './cron-schedule.ts';
import type { ClusterSnapshot } from './snapshot.ts';
import { HOUR, toMs } from './time.ts';

/**
 * Since when a CronJob's runs fail, as its own status says: every run scheduled after its last success failed (or
 * never finished), so the failure began at the first of them. A CronJob that never succeeded fails since its first
 * run. Undefined when the CronJob was not read, has no run after its last success before `until`, or its schedule is
 * not understood. A Job stands for the CronJob that made it.
 */
export interface BatchFailing {
  since: number;
  lastSuccess?: string;
  /** The time between two of its scheduled runs, when the schedule is understood. */
  period?: number;
}

export function batchFailingSince(
  entity: EntityRef,
  snapshot: ClusterSnapshot,
  until: number,
): BatchFailing | undefined {
  const name = entity.kind === 'Job' ? cronJobOfJob(entity, snapshot) : entity.kind === 'CronJob' ? entity.name : '';
  const cronJob = snapshot.cronJobs.find(
    (c) => c.metadata?.namespace === entity.namespace && c.metadata?.name === name,
  );
  if (!cronJob?.spec?.schedule || !cronJob.status?.lastScheduleTime) return undefined;
  const lastSuccess = cronJob.status.lastSuccessfulTime;
  const kept = firstFailedKeptRun(cronJob, snapshot);
  const after = toMs(lastSuccess ?? cronJob.metadata?.creationTimestamp);
  if (kept === undefined && after === undefined) return undefined;
  const since = kept ?? firstRunBetween(cronJob.spec.schedule, after as number, until, cronJob.spec.timeZone);
  if (since === undefined || since >= until) return undefined;
  const period = schedulePeriod(cronJob.spec.schedule, since, cronJob.spec.timeZone);
  return { since, ...(lastSuccess ? { lastSuccess } : {}), ...(period ? { period } : {}) };
}

/** The gap between two consecutive runs of the schedule after `from` (a day, a week…); undefined when not understood. */
function schedulePeriod(schedule: string, from: number, timeZone?: string): number | undefined {
  const first = firstRunBetween(schedule, from, from + PERIOD_HORIZON, timeZone);
  const second = first === undefined ? undefined : firstRunBetween(schedule, first, first + PERIOD_HORIZON, timeZone);
  return first !== undefined && second !== undefined ? second - first : undefined;
}

/** Far enough to find the next run of a monthly schedule. */
const PERIOD_HORIZON = 32 * 24 * HOUR;

type CronJob = ClusterSnapshot['cronJobs'][number];

/**
 * The runs the cluster kept say when failing began better than the schedule (whose time zone may be read wrong): when
 * a successful run is kept and the failed runs after it are fewer than the failed-history limit (none pruned), the
 * first of them is the first failure. Undefined when the kept runs cannot tell.
 */
function firstFailedKeptRun(cronJob: CronJob, snapshot: ClusterSnapshot): number | undefined {
  const runs = snapshot.jobs
    .filter(
      (job) =>
        job.metadata?.namespace === cronJob.metadata?.namespace &&
        job.metadata?.ownerReferences?.some((o) => o.kind === 'CronJob' && o.name === cronJob.metadata?.name),
    )
    .sort((a, b) => (toMs(a.metadata?.creationTimestamp) ?? 0) - (toMs(b.metadata?.creationTimestamp) ?? 0));
  const ended = (job: (typeof runs)[number], type: string) =>
    (job.status?.conditions ?? []).some((c) => c.type === type && c.status === 'True');
  const lastSucceeded = runs.findLastIndex((job) => ended(job, 'Complete'));
  if (lastSucceeded < 0) return undefined;
  const after = runs.slice(lastSucceeded + 1);
  const limit = cronJob.spec?.failedJobsHistoryLimit ?? 1;
  if (after.length === 0 || after.length >= limit || !after.every((job) => ended(job, 'Failed'))) return undefined;
  return toMs(after[0]?.metadata?.creationTimestamp);
}

function cronJobOfJob(job: EntityRef, snapshot: ClusterSnapshot): string | undefined {
  return snapshot.jobs
    .find((j) => j.metadata?.namespace === job.namespace && j.metadata?.name === job.name)
    ?.metadata?.ownerReferences?.find((o) => o.kind === 'CronJob')?.name;
}
