import { formatCpu, parseQuantity } from '../evidence/quantity.ts';
import type { Finding } from '../model.ts';
import { refKey } from '../model.ts';
import type { Detector } from './detector.ts';
import { increase, seriesBy } from './metric-series.ts';

/** Containers throttled for a large share of CFS periods: the CPU limit is too low for the load. */
export const cpuThrottling: Detector = {
  id: 'cpu-throttling',
  faultTypes: ['cpu-throttling'],
  detect(snapshot, graph) {
    const throttled = seriesBy(snapshot.metrics, /cfs_throttled_periods/);
    const periods = seriesBy(snapshot.metrics, /cfs_periods_total$/);
    const ratios = seriesBy(snapshot.metrics, /throttl.*ratio|ratio.*throttl/);
    const findings = new Map<string, Finding>();
    const keys = new Set([...throttled.keys(), ...ratios.keys()]);
    for (const key of keys) {
      const [namespace = '', podName = '', containerName = ''] = key.split('/');
      const ratioSeries = ratios.get(key);
      const t = throttled.get(key);
      const p = periods.get(key);
      const ratio = ratioSeries
        ? (ratioSeries.values.at(-1)?.[1] ?? 0)
        : t && p && increase(p) > 0
          ? increase(t) / increase(p)
          : undefined;
      if (ratio === undefined || ratio < 0.25) continue;
      const pod = graph.pod(namespace, podName);
      if (!pod) continue;
      const workload = graph.workloadOf(pod);
      if (findings.has(refKey(workload))) continue;
      const container = pod.spec?.containers.find((c) => c.name === containerName) ?? pod.spec?.containers[0];
      const limit = parseQuantity(container?.resources?.limits?.cpu);
      const at = (ratioSeries ?? t)?.values.at(-1)?.[0];
      const finding: Finding = {
        detector: 'cpu-throttling',
        faultType: 'cpu-throttling',
        entity: workload,
        affects: [workload],
        strength: ratio >= 0.5 ? 0.88 : 0.75,
        summary: `${workload.kind} ${workload.name}: container ${container?.name ?? containerName} is CPU-throttled in ${Math.round(ratio * 100)}% of periods${limit !== undefined ? ` under a ${formatCpu(limit)} CPU limit` : ''}`,
        evidence: [
          {
            source: 'metric',
            ref: { kind: 'Pod', namespace, name: podName },
            text: `throttled periods ratio ${ratio.toFixed(2)}${limit !== undefined ? `, cpu limit ${formatCpu(limit)}` : ''}`,
            at: at !== undefined ? new Date(at * 1000).toISOString() : undefined,
          },
        ],
      };
      if (limit !== undefined && container && ['Deployment', 'StatefulSet', 'DaemonSet'].includes(workload.kind)) {
        finding.remediation = {
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
      findings.set(refKey(workload), finding);
    }
    return [...findings.values()];
  },
};
