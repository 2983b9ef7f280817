import { formatBytes, parseQuantity } from '../evidence/quantity.ts';
import type { Finding } from '../model.ts';
import { refKey } from '../model.ts';
import type { Detector } from './detector.ts';
import { seriesBy } from './metric-series.ts';

/** Working-set memory that climbs steadily toward the container's limit: a leak, not a limit set too low. */
export const memoryLeak: Detector = {
  id: 'memory-leak',
  faultTypes: ['memory-leak'],
  detect(snapshot, graph) {
    const usage = seriesBy(snapshot.metrics, /^container_memory_working_set_bytes$/);
    const limits = seriesBy(
      snapshot.metrics.filter((s) => (s.labels.resource ?? 'memory') === 'memory'),
      /resource_limits/,
    );
    const findings = new Map<string, Finding>();
    for (const [key, series] of usage) {
      const values = series.values.map(([, v]) => v);
      if (values.length < 5) continue;
      const [namespace = '', podName = '', containerName = ''] = key.split('/');
      const pod = graph.pod(namespace, podName);
      const container = pod?.spec?.containers.find((c) => c.name === containerName);
      const limit = limits.get(key)?.values.at(-1)?.[1] ?? parseQuantity(container?.resources?.limits?.memory);
      if (!pod || !limit) continue;
      const first = values[0] as number;
      const last = values.at(-1) as number;
      const rising = values.slice(1).filter((v, i) => v >= (values[i] as number)).length / (values.length - 1);
      if (rising < 0.8 || (last - first) / limit < 0.3 || last / limit < 0.7) continue;
      const workload = graph.workloadOf(pod);
      if (findings.has(refKey(workload))) continue;
      const [startAt] = series.values[0] as [number, number];
      const [endAt] = series.values.at(-1) as [number, number];
      findings.set(refKey(workload), {
        detector: 'memory-leak',
        faultType: 'memory-leak',
        entity: workload,
        affects: [workload],
        // A steady climb is more specific than the OOM kill it ends in.
        strength: 0.96,
        summary: `${workload.kind} ${workload.name}: memory of ${containerName} grew from ${formatBytes(first)} to ${formatBytes(last)} of its ${formatBytes(limit)} limit, rising in ${Math.round(rising * 100)}% of samples`,
        evidence: [
          {
            source: 'metric',
            ref: { kind: 'Pod', namespace, name: podName },
            text: `working set ${formatBytes(first)} at ${new Date(startAt * 1000).toISOString()} → ${formatBytes(last)} at ${new Date(endAt * 1000).toISOString()} (limit ${formatBytes(limit)})`,
            at: new Date(endAt * 1000).toISOString(),
          },
        ],
      });
    }
    return [...findings.values()];
  },
};
