import { formatBytes, parseQuantity } from '../evidence/quantity.ts';
import type { Finding } from '../model.ts';
import { refKey } from '../model.ts';
import type { Detector } from './detector.ts';
import { isoAt, metricName, podSeries } from './metric-series.ts';

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
      if (values.length < 5) continue;
      const container = pod.spec?.containers.find((c) => c.name === containerName);
      const declared = limitSeries
        .find((l) => l.pod === pod && l.container === containerName)
        ?.sample.values.at(-1)?.[1];
      const limit = declared ?? parseQuantity(container?.resources?.limits?.memory);
      if (!limit) continue;
      const first = values[0] as number;
      // The peak, not the last sample: a leak that ends in an OOM kill restarts low (a sawtooth).
      const last = Math.max(...values);
      const rising = values.slice(1).filter((v, i) => v >= (values[i] as number)).length / (values.length - 1);
      if (rising < 0.8 || (last - first) / limit < 0.3 || last / limit < 0.7) continue;
      const workload = graph.workloadOf(pod);
      if (findings.has(refKey(workload))) continue;
      const start = isoAt(sample.values[0]?.[0]);
      const end = isoAt(sample.values.at(-1)?.[0]);
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
            ref: { kind: 'Pod', namespace: pod.metadata?.namespace ?? '', name: pod.metadata?.name ?? '' },
            text: `working set ${formatBytes(first)} at ${start} → ${formatBytes(last)} at ${end} (limit ${formatBytes(limit)})`,
            at: end,
          },
        ],
      });
    }
    return [...findings.values()];
  },
};
