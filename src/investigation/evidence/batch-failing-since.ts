import type { EntityRef } from '../model.ts';
import { firstRunBetween } from './cron-schedule.ts';
import type { ClusterSnapshot } from './snapshot.ts';
import { toMs } from './time.ts';

/**
 * Since when a CronJob's runs fail, as its own status says: every run scheduled after its last success failed (or
 * never finished), so the failure began at the first of them. A CronJob that never succeeded fails since its first
 * run. Undefined when the CronJob was not read, has no run after its last success before `until`, or its schedule is
 * not understood. A Job stands for the CronJob that made it.
 */
export function batchFailingSince(
  entity: EntityRef,
  snapshot: ClusterSnapshot,
  until: number,
): { since: number; lastSuccess?: string } | undefined {
  const name = entity.kind === 'Job' ? cronJobOfJob(entity, snapshot) : entity.kind === 'CronJob' ? entity.name : '';
  const cronJob = snapshot.cronJobs.find(
    (c) => c.metadata?.namespace === entity.namespace && c.metadata?.name === name,
  );
  if (!cronJob?.spec?.schedule || !cronJob.status?.lastScheduleTime) return undefined;
  const lastSuccess = cronJob.status.lastSuccessfulTime;
  const after = toMs(lastSuccess ?? cronJob.metadata?.creationTimestamp);
  if (after === undefined) return undefined;
  const since = firstRunBetween(cronJob.spec.schedule, after, until);
  if (since === undefined) return undefined;
  return lastSuccess ? { since, lastSuccess } : { since };
}

function cronJobOfJob(job: EntityRef, snapshot: ClusterSnapshot): string | undefined {
  return snapshot.jobs
    .find((j) => j.metadata?.namespace === job.namespace && j.metadata?.name === job.name)
    ?.metadata?.ownerReferences?.find((o) => o.kind === 'CronJob')?.name;
}
