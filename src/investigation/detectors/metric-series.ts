import type { MetricSample } from '../evidence/snapshot.ts';

export const metricName = (sample: MetricSample): string => sample.labels.__name__ ?? '';

/** Series of one metric name, keyed by namespace/pod/container. */
export function seriesBy(samples: MetricSample[], name: RegExp): Map<string, MetricSample> {
  const byKey = new Map<string, MetricSample>();
  for (const sample of samples) {
    if (!name.test(metricName(sample)) && !name.test(sample.query)) continue;
    const { namespace, pod, container } = sample.labels;
    if (!pod) continue;
    byKey.set(`${namespace ?? ''}/${pod}/${container ?? ''}`, sample);
  }
  return byKey;
}

export const increase = (sample: MetricSample): number => {
  const first = sample.values[0]?.[1] ?? 0;
  const last = sample.values.at(-1)?.[1] ?? 0;
  return last - first;
};
