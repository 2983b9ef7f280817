import { firstRunBetween } from '../evidence/cron-schedule.ts';
import { refOf } from '../evidence/graph.ts';
import { HOUR, lastChange, snapshotNow, toMs } from '../evidence/time.ts';
import type { ClusterSnapshot } from '../evidence/snapshot.ts';
import type { Finding } from '../model.ts';
import { type Detector, finding } from './detector.ts';

/** How sure a finding is (the scale: detectors/detector.ts). */
const STRENGTH = {
  /**
   * The CronJob says it itself (suspended, a run it would have started since its last one), but a suspension may be
   * on purpose (a job replaced, paused for a migration): circumstantial, below any fault found in what fails.
   */
  suspendedSinceRunning: 0.6,
  /** A run that outlived several periods holds every later one back (Forbid): the CronJob's own settings allow it. */
  heldByHungRun: 0.6,
} as const;

/** A run still active after this many periods of its schedule is hung, not slow. */
const HUNG_PERIODS = 4;

/** A CronJob last scheduled longer ago than this was retired, not stopped in service: what was it to the incident? */
const IN_SERVICE_WINDOW = 7 * 24 * HOUR;

/**
 * A CronJob that ran on its schedule until recently and is suspended now: the runs it would have started since its last
 * one never happened, so whatever they produce (a report, a close, a cleanup) is missing, without a pod failing or an
 * event — nothing is there to fail. One suspended for longer than a week was retired, not the incident.
 */
export const suspendedSchedule: Detector = {
  id: 'suspended-schedule',
  faultTypes: ['job-failure'],
  detect(snapshot) {
    const now = snapshotNow(snapshot);
    const findings: Finding[] = [];
    for (const cronJob of snapshot.cronJobs) {
      const held = heldByHungRun(snapshot, cronJob, now);
      if (held) findings.push(held);
      if (cronJob.spec?.suspend !== true) continue;
      const lastScheduled = cronJob.status?.lastScheduleTime;
      const last = toMs(lastScheduled);
      if (last === undefined || now - last > IN_SERVICE_WINDOW) continue;
      const schedule = cronJob.spec.schedule;
      const missed = firstRunBetween(schedule, last, now, cronJob.spec.timeZone);
      if (missed === undefined) continue;
      const entity = refOf('CronJob', cronJob.metadata);
      const found = finding(suspendedSchedule, {
        entity,
        affects: [entity],
        strength: STRENGTH.suspendedSinceRunning,
        summary: `CronJob ${entity.name} is suspended: its last run was scheduled at ${lastScheduled}, and the run due at ${new Date(missed).toISOString()} (schedule "${schedule}") never started`,
        evidence: [
          { source: 'spec', ref: entity, text: `suspend: true, schedule "${schedule}"` },
          {
            source: 'status',
            ref: entity,
            text: `lastScheduleTime ${lastScheduled}; next run due ${new Date(missed).toISOString()} did not start`,
          },
        ],
      });
      const changed = lastChange(cronJob.metadata);
      if (changed && (toMs(changed) ?? 0) > last) found.changedAt = changed;
      findings.push(found);
    }
    return findings;
  },
};

type CronJob = ClusterSnapshot['cronJobs'][number];

/**
 * A CronJob that forbids concurrent runs, whose active run started several periods of its schedule ago and has no
 * deadline: every run due since was skipped behind it, so its output stopped without a pod failing.
 */
function heldByHungRun(snapshot: ClusterSnapshot, cronJob: CronJob, now: number): Finding | undefined {
  if (cronJob.spec?.concurrencyPolicy !== 'Forbid' || cronJob.spec.suspend === true) return undefined;
  const namespace = cronJob.metadata?.namespace;
  const active = (cronJob.status?.active ?? []).map((ref) =>
    snapshot.jobs.find((job) => job.metadata?.namespace === namespace && job.metadata?.name === ref.name),
  );
  const schedule = cronJob.spec.schedule;
  for (const job of active) {
    const started = toMs(job?.status?.startTime ?? job?.metadata?.creationTimestamp);
    if (!job || started === undefined || job.spec?.activeDeadlineSeconds !== undefined) continue;
    // The runs due since it started: several of them skipped says it is hung.
    let due = started;
    let skipped = 0;
    while (skipped < HUNG_PERIODS) {
      const next = firstRunBetween(schedule, due, now, cronJob.spec.timeZone);
      if (next === undefined) break;
      skipped++;
      due = next;
    }
    if (skipped < HUNG_PERIODS) continue;
    const entity = refOf('CronJob', cronJob.metadata);
    const jobRef = refOf('Job', job.metadata);
    return finding(suspendedSchedule, {
      entity,
      affects: [entity, jobRef],
      strength: STRENGTH.heldByHungRun,
      summary: `CronJob ${entity.name} forbids concurrent runs and its run ${jobRef.name}, active since ${new Date(started).toISOString()} with no deadline, holds back every run due since (schedule "${schedule}")`,
      evidence: [
        {
          source: 'spec',
          ref: entity,
          text: `concurrencyPolicy: Forbid, schedule "${schedule}", no activeDeadlineSeconds`,
        },
        { source: 'status', ref: jobRef, text: `active since ${new Date(started).toISOString()}` },
      ],
    });
  }
  return undefined;
}
