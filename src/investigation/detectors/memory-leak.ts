import { configuredMemory } from '../evidence/configured-memory.ts';
import { formatBytes, parseQuantity } from '../evidence/quantity.ts';
import { toMs } from '../evidence/time.ts';
import { risingShare } from '../evidence/trend.ts';
import type { Pod } from '../evidence/workloads.ts';
import type { Finding } from '../model.ts';
import { refKey } from '../model.ts';
import { type Detector, finding } from './detector.ts';
import { isoAt, metricName, podSeries } from './metric-series.ts';

/** A steady climb to the limit within one container lifetime: more specific than the OOM kill it ends in (0.95). */
const STRENGTH = 0.96;
/**
 * The same climb, over hours, in a container configured to use more than its limit: a heap ceiling is not a working
 * set — the heap grows to it only because what it holds keeps growing, so raising the limit to the ceiling only delays
 * the kill. Outranks the limit set below the configured size (0.97), which this climb explains.
 */
const CLIMB_PAST_CEILING = 0.98;
/** A previous instance OOM-killed after living this long grew into its limit slowly: no warm-up fills a cache that slowly. */
const LONG_LIFE = 60 * 60_000;

/** Working-set memory that climbs steadily toward the container's limit: a leak, not a limit set too low. */
export const memoryLeak: Detector = {
  id: 'memory-leak',
  faultTypes: ['memory-leak'],
  detect(snapshot, graph) {
    const limitSeries = podSeries(
      snapshot.metrics,
      graph,
      snapshot.pods,
      (s) => /resource_limits/.test(metricName(s)) && (s.labels.resource ?? 'memory') === 'memory',
    );
    const usage = podSeries(
      snapshot.metrics,
      graph,
      snapshot.pods,
      (s) => metricName(s) === 'container_memory_working_set_bytes' || s.signal === 'memory-working-set',
    );
    const findings = new Map<string, Finding>();
    for (const { pod, container: containerName, sample } of usage) {
      const values = sample.values.map(([, v]) => v);
      const status = pod.status?.containerStatuses?.find((c) => c.name === containerName);
      const fewest = killedAfterHours(status) ? FEWEST_SAMPLES_AFTER_LONG_LIFE : 5;
      if (values.length < fewest) continue;
      const container = pod.spec?.containers.find((c) => c.name === containerName);
      const declared = limitSeries
        .find((l) => l.pod === pod && l.container === containerName)
        ?.sample.values.at(-1)?.[1];
      const limit = declared ?? parseQuantity(container?.resources?.limits?.memory);
      if (!limit) continue;
      if (killedInShortCycles(status)) continue;
      // Configured to hold more than the limit: a cache's climb is it filling to its size, however slowly; a heap's
      // climb is the working set filling up too — unless it took hours within one lifetime to get there.
      const configured = configuredMemory(container);
      const pastCeiling = (configured?.bytes ?? 0) >= 0.9 * limit;
      if (pastCeiling && (configured?.holds === 'cache' || (oomKilledAfter(status) ?? 0) < LONG_LIFE)) continue;
      const runs = lifetimes(values, limit);
      // Filled to the limit and killed more than once in the window: the limit is too low for the load, not a leak.
      const filled = runs.slice(0, -1).filter((run) => Math.max(...run.values) >= 0.85 * limit).length;
      if (filled >= 2) continue;
      const growth = (run: Lifetime) => Math.max(...run.values) - (run.values[0] ?? 0);
      const climb = runs.filter((run) => run.values.length >= fewest).sort((a, b) => growth(b) - growth(a))[0];
      if (!climb) continue;
      const run = climb.values;
      const first = run[0] as number;
      // The peak, not the last sample: a leak that ends in an OOM kill restarts low.
      const last = Math.max(...run);
      const rising = risingShare(run);
      const grew = (last - first) / limit;
      // Near the limit already, or killed for memory after a long life and climbing again since: a leak either way. A
      // modest climb alone is a warm-up, not yet evidence.
      const nearLimit = grew >= 0.3 && last / limit >= 0.7;
      // Read often enough to call it a climb: ten samples, or five spread over twenty minutes (a coarse scrape interval
      // shows the same climb in fewer samples) — or, after a life of hours ended by the kill, a rise at every sample
      // over those twenty minutes (a ten-minute scrape's three samples); samples seconds apart are a burst either way.
      const spansAClimb = spanOf(sample, climb) >= MIN_CLIMB_SPAN;
      const climbingAgain =
        killedAfterLongLife(status) &&
        (run.length >= 10 ||
          (run.length >= 5 && spansAClimb) ||
          (killedAfterHours(status) && risesEveryStep(run) && spansAClimb)) &&
        (grew >= 0.15 || refillsWithinALife(sample, climb, limit, status));
      if (rising < 0.8 || !(nearLimit || climbingAgain)) continue;
      const workload = graph.workloadOf(pod);
      if (findings.has(refKey(workload))) continue;
      const start = isoAt(sample.values[climb.from]?.[0]);
      const end = isoAt(sample.values[climb.from + run.indexOf(last)]?.[0]);
      findings.set(
        refKey(workload),
        finding(memoryLeak, {
          entity: workload,
          affects: [workload],
          strength: pastCeiling ? CLIMB_PAST_CEILING : STRENGTH,
          summary: `${workload.kind} ${workload.name}: memory of ${containerName} grew from ${formatBytes(first)} to ${formatBytes(last)} of its ${formatBytes(limit)} limit within one container lifetime, rising in ${Math.round(rising * 100)}% of its course`,
          evidence: [
            {
              source: 'metric',
              ref: { kind: 'Pod', namespace: pod.metadata?.namespace ?? '', name: pod.metadata?.name ?? '' },
              text: `working set ${formatBytes(first)} at ${start} → ${formatBytes(last)} at ${end} (limit ${formatBytes(limit)})`,
              at: end,
            },
          ],
        }),
      );
    }
    return [...findings.values()];
  },
};

type ContainerStatus = NonNullable<NonNullable<Pod['status']>['containerStatuses']>[number];

/**
 * The series cut where memory falls sharply: a restart (or OOM kill) starts a new lifetime, and a leak is a climb
 * within one of them — not the rise of a sawtooth read across several.
 */
interface Lifetime {
  /** Index of its first sample in the series. */
  from: number;
  values: number[];
}

function lifetimes(values: number[], limit: number): Lifetime[] {
  const runs: Lifetime[] = [{ from: 0, values: [] }];
  values.forEach((value, i) => {
    const previous = values[i - 1];
    if (previous !== undefined && previous - value > Math.max(0.15 * limit, 0.25 * previous))
      runs.push({ from: i, values: [] });
    runs.at(-1)?.values.push(value);
  });
  return runs;
}

const SHORT_LIFE = 15 * 60_000;
/** The least time a climb read in few samples must span to say it goes on (not a burst). */
const MIN_CLIMB_SPAN = 20 * 60_000;

/** How long a lifetime's samples span, in milliseconds (sample times are in seconds). */
function spanOf(sample: { values: [number, number][] }, climb: Lifetime): number {
  const from = sample.values[climb.from]?.[0];
  const to = sample.values[climb.from + climb.values.length - 1]?.[0];
  return from !== undefined && to !== undefined ? (to - from) * 1000 : 0;
}

/** How long the container's previous instance lived before it was OOM-killed; undefined when it was not. */
function oomKilledAfter(status: ContainerStatus | undefined): number | undefined {
  const last = status?.lastState?.terminated;
  if (last?.reason !== 'OOMKilled') return undefined;
  const lived = (toMs(last.finishedAt) ?? 0) - (toMs(last.startedAt) ?? 0);
  return lived > 0 ? lived : undefined;
}

/** Killed for memory again and again, each life short: a limit below what the work needs, whatever the curve. */
function killedInShortCycles(status: ContainerStatus | undefined): boolean {
  const lived = oomKilledAfter(status);
  return lived !== undefined && lived < SHORT_LIFE && (status?.restartCount ?? 0) >= 3;
}

/**
 * Climbing at a pace that reaches the limit again within one life of the instance killed before it: the same slow climb
 * repeating, however little of the limit the window read shows it gain.
 */
function refillsWithinALife(
  sample: { values: [number, number][] },
  climb: Lifetime,
  limit: number,
  status: ContainerStatus | undefined,
): boolean {
  const lived = oomKilledAfter(status);
  const from = sample.values[climb.from];
  const to = sample.values[climb.from + climb.values.length - 1];
  if (!lived || !from || !to || to[0] <= from[0] || to[1] <= from[1]) return false;
  const perMs = (to[1] - from[1]) / ((to[0] - from[0]) * 1000);
  return (limit - to[1]) / perMs <= lived;
}

/**
 * The fewest samples that read a climb when the instance before was OOM-killed after an hour or more: a working set
 * that fills its limit does so soon after start, so a long life ended by the kill is the slope already, and a short
 * read that rises at every sample is the same slope again.
 */
const FEWEST_SAMPLES_AFTER_LONG_LIFE = 3;

/** OOM-killed after living an hour or more: no warm-up takes that long to fill a limit. */
function killedAfterHours(status: ContainerStatus | undefined): boolean {
  return (oomKilledAfter(status) ?? 0) >= LONG_LIFE;
}

/** Every sample above the one before: a slope, not noise around a level. */
function risesEveryStep(values: readonly number[]): boolean {
  return values.length >= 2 && values.slice(1).every((value, i) => value > (values[i] as number));
}

/** OOM-killed after living long enough to have grown into its limit: what a leak ends in. */
function killedAfterLongLife(status: ContainerStatus | undefined): boolean {
  return (oomKilledAfter(status) ?? 0) >= SHORT_LIFE;
}
