/**
 * One investigation in a process of its own, against a cluster served by another (`simulate`), so that its peak RSS
 * is the investigator's alone. Reads {kubeconfig, prometheus, alert, now} as JSON on argv[2]; prints one JSON line.
 */
import { KubeConfig } from '@kubernetes/client-node';
import { AlertSchema } from '../src/alert/alert.ts';
import { MemoryAuditLog } from '../src/audit/audit-log.ts';
import { investigate } from '../src/investigation/engine.ts';
import { refKey } from '../src/investigation/model.ts';

const input = JSON.parse(process.argv[2] ?? '{}') as {
  kubeconfig: string;
  prometheus: string;
  alert: unknown;
  now: string;
};
const kubeConfig = new KubeConfig();
kubeConfig.loadFromFile(input.kubeconfig);
const audit = new MemoryAuditLog();
const started = performance.now();
const result = await investigate(AlertSchema.parse(input.alert), {
  kubeConfig,
  prometheusUrl: input.prometheus,
  audit,
  now: new Date(input.now),
});
console.log(
  JSON.stringify({
    rootCause: result.rootCause ? refKey(result.rootCause) : 'none',
    faultType: result.faultType,
    confidence: result.confidence,
    assumptions: result.assumptions,
    ms: performance.now() - started,
    rssMb: process.resourceUsage().maxRSS / 1024,
    prometheusQueries: audit.entries.filter((entry) => entry.action === 'tool.prometheus_query').length,
  }),
);
