import { CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import type { Alert } from '../alert/alert.ts';
import type { AuditLog } from '../audit/audit-log.ts';
import type { InvestigationResult, ProgressListener } from './model.ts';

export interface InvestigationContext {
  /** Read-only credentials of the investigator. */
  kubeConfig: KubeConfig;
  prometheusUrl?: string;
  audit: AuditLog;
  incidentId?: string;
  onProgress?: ProgressListener;
  /** The time the investigation reasons at (a replayed scenario's `now`); defaults to the wall clock. */
  now?: Date;
}

// Placeholder until the causal engine lands: lists the alerted namespace's pods and names an unhealthy one.
export async function investigate(alert: Alert, ctx: InvestigationContext): Promise<InvestigationResult> {
  const namespace = alert.labels.namespace ?? 'default';
  await ctx.onProgress?.({ type: 'step', message: `Listing pods in ${namespace}` });
  const pods = await ctx.kubeConfig.makeApiClient(CoreV1Api).listNamespacedPod({ namespace });
  const unhealthy = pods.items.find((pod) => (pod.status?.containerStatuses ?? []).some((status) => !status.ready));
  const result: InvestigationResult = {
    rootCause: unhealthy ? { kind: 'Pod', namespace, name: unhealthy.metadata?.name ?? '' } : null,
    faultType: unhealthy ? 'other' : null,
    confidence: unhealthy ? 0.2 : 0,
    summary: unhealthy ? `Pod ${unhealthy.metadata?.name} is not ready` : `All pods in ${namespace} are ready`,
    hypotheses: [],
    ruledOut: [],
    remediation: null,
    assumptions: alert.labels.namespace ? [] : [`namespace ${namespace} (the alert named none)`],
  };
  await ctx.onProgress?.({ type: 'done', result });
  return result;
}
