import { isPodReady } from './pod-state.ts';
import { toMs } from './time.ts';
import type { Pod } from './workloads.ts';

/**
 * More restarts than this is a kill that recurs, not one that is over: the next may come at any time.
 */
const ONE_OFF_RESTARTS = 2;

/**
 * When a workload got over a container restart: every pod is ready, every container runs, none restarted more than a
 * one-off; the answer is the latest start of a restarted container (the moment the last of them came back). Undefined
 * while any pod is down, unready or restarting again, or when nothing restarted.
 */
export function recoveredSince(pods: Pod[]): string | undefined {
  if (pods.length === 0) return undefined;
  let latest: { at: string; ms: number } | undefined;
  for (const pod of pods) {
    if (!isPodReady(pod)) return undefined;
    for (const status of pod.status?.containerStatuses ?? []) {
      const started = status.state?.running?.startedAt;
      const ms = toMs(started);
      if (!started || ms === undefined) return undefined;
      const restarts = status.restartCount ?? 0;
      if (restarts > ONE_OFF_RESTARTS) return undefined;
      if (restarts > 0 && (!latest || ms > latest.ms)) latest = { at: started, ms };
    }
  }
  return latest?.at;
}
