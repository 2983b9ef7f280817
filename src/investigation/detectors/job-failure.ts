import { refOf } from '../evidence/graph.ts';
import type { Finding } from '../model.ts';
import type { Detector } from './detector.ts';

/** A Job that gave up (BackoffLimitExceeded, DeadlineExceeded). */
export const jobFailure: Detector = {
  id: 'job-failure',
  faultTypes: ['job-failure'],
  detect(snapshot) {
    return snapshot.jobs.flatMap((job): Finding[] => {
      const failed = (job.status?.conditions ?? []).find((c) => c.type === 'Failed' && c.status === 'True');
      if (!failed) return [];
      const ref = refOf('Job', job.metadata);
      const owner = job.metadata?.ownerReferences?.find((o) => o.kind === 'CronJob');
      return [
        {
          detector: 'job-failure',
          faultType: 'job-failure',
          entity: ref,
          affects: [ref, ...(owner ? [{ kind: 'CronJob', namespace: ref.namespace ?? '', name: owner.name }] : [])],
          strength: 0.9,
          summary: `Job ${ref.name} failed: ${failed.reason ?? ''} ${failed.message ?? ''}`.trim(),
          evidence: [
            {
              source: 'status',
              ref,
              text: `Failed=True ${failed.reason ?? ''}: ${failed.message ?? ''}; ${job.status?.failed ?? 0} failed pods`,
              at: failed.lastTransitionTime ?? undefined,
            },
          ],
          changedAt: failed.lastTransitionTime ?? job.metadata?.creationTimestamp,
        },
      ];
    });
  },
};
