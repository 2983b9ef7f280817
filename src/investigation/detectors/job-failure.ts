import { refOf } from '../evidence/graph.ts';
import type { Finding } from '../model.ts';
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
  detect(snapshot) {
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
  },
};
