import { formatCpu, parseQuantity } from '../evidence/quantity.ts';
import type { MetricSample } from '../evidence/snapshot.ts';
import type { Finding } from '../model.ts';
import { refKey } from '../model.ts';
import { type Detector, finding } from './detector.ts';
import { increase, isoAt, metricName, podSeries } from './metric-series.ts';

// A query that already divides throttled by total periods answers a ratio; raw counters need dividing here.
const isRatio = (s: MetricSample) =>
  s.signal === 'cpu-throttling' || (/throttl/i.test(s.query) && s.query.includes('/'));
const isThrottledCounter = (s: MetricSample) => !isRatio(s) && /cfs_throttled_periods_total$/.test(metricName(s));
const isPeriodsCounter = (s: MetricSample) =>
  !isRatio(s) && /cfs_periods_total$/.test(metricName(s)) && !/throttled/.test(metricName(s));

/** How sure a finding is (the scale: detectors/detector.ts). */
const STRENGTH = {
  /** Throttled in half the periods or more: the limit, not the load, sets its pace. */
  mostPeriods: 0.88,
  /** Throttled in a quarter of the periods or more: slow enough to matter, not always to explain. */
  manyPeriods: 0.75,
} as const;

/** Containers throttled for a large share of CFS periods: the CPU limit is too low for the load. */
export const cpuThrottling: Detector = {
  id: 'cpu-throttling',
  faultTypes: ['cpu-throttling'],
  detect(snapshot, graph) {
    const key = (s: { pod: { metadata?: { namespace?: string; name?: string } }; container: string }) =>
      `${s.pod.metadata?.namespace}/${s.pod.metadata?.name}/${s.container}`;
    const periods = new Map(
      podSeries(snapshot.metrics, graph, snapshot.pods, isPeriodsCounter).map((s) => [key(s), s.sample]),
    );
    const observations = [
      ...podSeries(snapshot.metrics, graph, snapshot.pods, isRatio).map((s) => ({
        ...s,
        ratio: s.sample.values.at(-1)?.[1],
      })),
      ...podSeries(snapshot.metrics, graph, snapshot.pods, isThrottledCounter).map((s) => {
        const total = periods.get(key(s));
        return { ...s, ratio: total && increase(total) > 0 ? increase(s.sample) / increase(total) : undefined };
      }),
    ];
    const findings = new Map<string, Finding>();
    for (const { pod, container: containerName, sample, ratio } of observations) {
      if (ratio === undefined || !Number.isFinite(ratio) || ratio < 0.25) continue;
      const workload = graph.workloadOf(pod);
      if (findings.has(refKey(workload))) continue;
      const namespace = pod.metadata?.namespace ?? '';
      const container = pod.spec?.containers.find((c) => c.name === containerName) ?? pod.spec?.containers[0];
      const limit = parseQuantity(container?.resources?.limits?.cpu);
      const fault: Finding = finding(cpuThrottling, {
        entity: workload,
        affects: [workload],
        strength: ratio >= 0.5 ? STRENGTH.mostPeriods : STRENGTH.manyPeriods,
        summary: `${workload.kind} ${workload.name}: container ${container?.name ?? containerName} is CPU-throttled in ${Math.round(ratio * 100)}% of periods${limit !== undefined ? ` under a ${formatCpu(limit)} CPU limit` : ''}`,
        evidence: [
          {
            source: 'metric',
            ref: { kind: 'Pod', namespace, name: pod.metadata?.name ?? '' },
            text: `throttled periods ratio ${ratio.toFixed(2)}${limit !== undefined ? `, cpu limit ${formatCpu(limit)}` : ''}`,
            at: isoAt(sample.values.at(-1)?.[0]),
          },
        ],
      });
      if (limit !== undefined && container && ['Deployment', 'StatefulSet', 'DaemonSet'].includes(workload.kind)) {
        fault.remediation = {
          summary: `Raise the CPU limit of ${workload.name}/${container.name} from ${formatCpu(limit)} to ${formatCpu(limit * 2)}`,
          action: {
            type: 'set-resources',
            kind: workload.kind as 'Deployment',
            namespace,
            name: workload.name,
            container: container.name,
            limits: { cpu: formatCpu(limit * 2) },
          },
        };
      }
      findings.set(refKey(workload), fault);
    }
    return [...findings.values()];
  },
};
