import type { EvidenceGraph } from '../evidence/graph.ts';
import type { MetricSample } from '../evidence/snapshot.ts';
import type { Pod } from '../evidence/workloads.ts';

export const metricName = (sample: MetricSample): string => sample.labels.__name__ ?? '';

export interface PodSeries {
  pod: Pod;
  container: string;
  sample: MetricSample;
}

/** Series that `test` accepts, each tied to its pod (by namespace and name; by name alone when the query dropped the namespace). */
export function podSeries(
  samples: MetricSample[],
  graph: EvidenceGraph,
  pods: Pod[],
  test: (sample: MetricSample) => boolean,
): PodSeries[] {
  const found: PodSeries[] = [];
  for (const sample of samples) {
    if (!test(sample)) continue;
    const { namespace, pod: name, container } = sample.labels;
    if (!name) continue;
    const pod = namespace ? graph.pod(namespace, name) : pods.find((p) => p.metadata?.name === name);
    if (pod) found.push({ pod, container: container ?? '', sample });
  }
  return found;
}

export const increase = (sample: MetricSample): number => {
  const first = sample.values[0]?.[1] ?? 0;
  const last = sample.values.at(-1)?.[1] ?? 0;
  return last - first;
};

export const isoAt = (seconds: number | undefined): string | undefined =>
  seconds === undefined ? undefined : new Date(seconds * 1000).toISOString();
