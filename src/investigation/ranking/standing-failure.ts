import { batchFailingSince } from '../evidence/batch-failing-since.ts';
import type { ClusterSnapshot } from '../evidence/snapshot.ts';
import { unreadySince } from '../evidence/unready-since.ts';
import { toMs } from '../evidence/time.ts';
import type { Candidate } from './candidate.ts';
import { STANDING_TROUBLE } from '../evidence/onset.ts';

/**
 * A workload none of whose pods has been ready since long (STANDING_TROUBLE) before the symptom began, a one-off Job
 * that failed then, or a CronJob whose runs have failed since then (longer ago than that and than one period of its
 * schedule), that the symptom's path does not reach, explains nothing about it: every cluster carries such leftovers,
 * and a batch run's failure breaks only its own output (a job-failure answer needs a symptom about that output: one
 * whose path reaches it, or whose words name it, as "no till-db backup in 3 days" names till-db-backup). With no symptom resolved nothing reaches it either.
 * Returns the reason to set it aside, or undefined when it stays.
 */
export function standingFailure(
  candidate: Candidate,
  snapshot: ClusterSnapshot,
  start: number,
  about: { reached: boolean; named: (name: string) => boolean },
): string | undefined {
  const { entity } = candidate.finding;
  if (about.reached || about.named(entity.name)) return undefined;
  // A long-running workload none of whose pods has been ready since days before (a crash loop left running) has failed
  // through days the symptom did not exist, as a batch run failing since then has.
  const unready = unreadySince(entity, snapshot);
  if (unready !== undefined && unready < start - STANDING_TROUBLE) {
    return `${candidate.finding.summary} — none of its pods ready since ${new Date(unready).toISOString()}, long before the incident began, and off the symptom's path: a standing failure that explains nothing about it`;
  }
  // A one-off Job (no CronJob runs it again) that gave up days before failed once, then; nothing of it is new.
  const failedAt = oneOffJobFailedAt(entity, snapshot);
  if (failedAt !== undefined && failedAt < start - STANDING_TROUBLE) {
    return `${candidate.finding.summary} — a one-off run that failed at ${new Date(failedAt).toISOString()}, long before the incident began, and off the symptom's path: a standing failure that explains nothing about it`;
  }
  const failing = batchFailingSince(entity, snapshot, start - STANDING_TROUBLE);
  // The last scheduled run failing is what its output's readers miss until the next one: within one schedule period of
  // the onset (a weekly run that failed three days before) the failure is this incident's, not a standing one.
  if (!failing || (failing.period !== undefined && failing.since >= start - failing.period)) return undefined;
  return `${candidate.finding.summary} — failing since ${new Date(failing.since).toISOString()} (${failing.lastSuccess ? `last success ${failing.lastSuccess}` : 'never succeeded'}), long before the incident began, and off the symptom's path: a standing failure that explains nothing about it`;
}

/** When a Job no CronJob owns reached its Failed condition; undefined for other kinds, CronJob runs, or no such condition. */
function oneOffJobFailedAt(entity: Candidate['finding']['entity'], snapshot: ClusterSnapshot): number | undefined {
  if (entity.kind !== 'Job') return undefined;
  const job = snapshot.jobs.find((j) => j.metadata?.namespace === entity.namespace && j.metadata?.name === entity.name);
  if (!job || job.metadata?.ownerReferences?.some((owner) => owner.kind === 'CronJob')) return undefined;
  const failed = job.status?.conditions?.find((c) => c.type === 'Failed' && c.status === 'True');
  return toMs(failed?.lastTransitionTime);
}
