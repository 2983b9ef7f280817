import { parseQuantity } from './quantity.ts';
import type { ClusterSnapshot } from './snapshot.ts';
import { HOUR, snapshotNow, toMs } from './time.ts';
import { risingShare } from './trend.ts';

/** Near its limit: a container this full and still growing is about to be killed, whatever grew it. */
const NEAR_LIMIT = 0.7;
/** Grown by this share of its limit within the window: the window shows the climb itself, its history adds nothing. */
const CLIMB_SEEN = 0.3;
/** Growing in most samples of the window: a climb, not the noise of a steady working set. */
const RISING = 0.8;
/** The window the collector's memory query reads (metric-queries.ts): a container younger than it shows its whole life. */
const WINDOW_MS = 30 * 60_000;
/** How far back a lifetime is read: a leak that takes longer is seen climbing in that part of it already. */
const MAX_HISTORY_MS = 6 * HOUR;
/** A previous instance OOM-killed after living this long grew into its limit slowly (detectors/memory-leak.ts). */
const LONG_LIFE = HOUR;
/** Containers whose history is asked, at most (one request each). */
const MAX_HISTORIES = 2;

/** A container whose memory history is worth one query, that query, and the span and reason as the thread is told. */
export interface MemoryHistoryQuery {
  pod: string;
  container: string;
  query: string;
  /** Which lives the query spans and why it is asked (`since it started: near its limit and still climbing`). */
  about: string;
}

/**
 * Containers near their memory limit and still climbing through the window read, alive for longer than it: the window
 * shows a slow climb's last stretch only, too little to tell a leak from a working set that settled high. What the
 * memory did since the container started tells: the climb within one lifetime is the leak's signature (a restart
 * would cut it). Asked for that lifetime only (capped), so every sample belongs to the one process. A container whose
 * previous instance was OOM-killed after a long life is asked over this life when it is older than the window, and
 * over the killed life and this one when it restarted within it (the window then holds only the killed life's end).
 */
export function memoryHistoryQueries(snapshot: ClusterSnapshot, namespace: string): MemoryHistoryQuery[] {
  const now = snapshotNow(snapshot);
  const queries: MemoryHistoryQuery[] = [];
  for (const sample of snapshot.metrics) {
    if (sample.signal !== 'memory-working-set' || queries.length >= MAX_HISTORIES) continue;
    const { pod: podName, container: name } = sample.labels;
    const pod = snapshot.pods.find((p) => p.metadata?.namespace === namespace && p.metadata?.name === podName);
    const container = pod?.spec?.containers.find((c) => c.name === name);
    const limit = parseQuantity(container?.resources?.limits?.memory);
    const status = pod?.status?.containerStatuses?.find((s) => s.name === name);
    const startedAt = toMs(status?.state?.running?.startedAt);
    if (!podName || !name || !limit || startedAt === undefined) continue;
    const young = now - startedAt <= WINDOW_MS;
    const values = sample.values.map(([, value]) => value);
    const killed = status?.lastState?.terminated;
    if (killed?.reason === 'OOMKilled') {
      // Killed for memory after hours alive: whether this life climbs the same way is a leak's signature (restarts
      // hours apart), which a window too coarse to hold five samples cannot show. A short previous life tells enough.
      // Restarted within the window, the window holds the killed life's last minutes only: that life is read whole
      // (capped) with this one — hours of climbing to an unchanged limit are a leak, not a limit set too low.
      const bornAt = toMs(killed.startedAt);
      const lived = (toMs(killed.finishedAt) ?? 0) - (bornAt ?? 0);
      if (lived < LONG_LIFE || (!young && values.length >= 5) || bornAt === undefined) continue;
      const about = young
        ? `over the life OOM-killed after ${Math.round(lived / HOUR)} h and this one`
        : `since it started: its previous instance was OOM-killed after ${Math.round(lived / HOUR)} h`;
      queries.push(lifetimeQuery(namespace, podName, name, now - (young ? bornAt : startedAt), about));
      continue;
    }
    if (young) continue;
    const last = values.at(-1) ?? 0;
    const grew = last - (values[0] ?? 0);
    if (values.length < 5 || last < NEAR_LIMIT * limit || risingShare(values) < RISING || grew <= 0) continue;
    if (grew >= CLIMB_SEEN * limit) continue;
    queries.push(
      lifetimeQuery(namespace, podName, name, now - startedAt, 'since it started: near its limit and still climbing'),
    );
  }
  return queries;
}

/** The working set of one container over the last `back` ms (capped at MAX_HISTORY_MS), told as `about`. */
function lifetimeQuery(
  namespace: string,
  pod: string,
  container: string,
  back: number,
  about: string,
): MemoryHistoryQuery {
  const minutes = Math.floor(Math.min(back, MAX_HISTORY_MS) / 60_000);
  const selector = `namespace=${JSON.stringify(namespace)},pod=${JSON.stringify(pod)},container=${JSON.stringify(container)}`;
  return { pod, container, query: `container_memory_working_set_bytes{${selector}}[${minutes}m]`, about };
}

/** Containers elsewhere whose history is asked, at most (one request each). */
const MAX_KILLED_PEERS = 1;

/**
 * Containers outside the alerted namespace (a callee the errors led to) whose previous instance was OOM-killed after
 * living an hour or more, and whose memory no query read yet: the kill alone does not tell a limit too low from a
 * leak — the working set over the life that ended in the kill and the one since does (a slow climb within one life,
 * then the same climb again). One query each, over both lives (capped), at most MAX_KILLED_PEERS.
 */
export function killedPeerMemoryQueries(snapshot: ClusterSnapshot, namespace: string): MemoryHistoryQuery[] {
  const now = snapshotNow(snapshot);
  const read = new Set(
    snapshot.metrics
      .filter((s) => s.signal === 'memory-working-set')
      .map((s) => `${s.labels.namespace}/${s.labels.pod}/${s.labels.container}`),
  );
  const queries: MemoryHistoryQuery[] = [];
  for (const pod of snapshot.pods) {
    const podNamespace = pod.metadata?.namespace ?? '';
    const podName = pod.metadata?.name ?? '';
    if (podNamespace === namespace || queries.length >= MAX_KILLED_PEERS) continue;
    for (const status of pod.status?.containerStatuses ?? []) {
      const killed = status.lastState?.terminated;
      if (killed?.reason !== 'OOMKilled' || read.has(`${podNamespace}/${podName}/${status.name}`)) continue;
      const bornAt = toMs(killed.startedAt);
      const lived = (toMs(killed.finishedAt) ?? 0) - (bornAt ?? 0);
      if (bornAt === undefined || lived < LONG_LIFE || queries.length >= MAX_KILLED_PEERS) continue;
      const about = `over the life OOM-killed after ${Math.round(lived / HOUR)} h and since`;
      queries.push(lifetimeQuery(podNamespace, podName, status.name, now - bornAt, about));
    }
  }
  return queries;
}
