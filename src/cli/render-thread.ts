import type { Alert } from '../alert/alert.ts';
import type { Progress } from '../investigation/model.ts';
import type { Check, PlanSpec } from '../remediation/plan-spec.ts';
import { entityLabel } from '../investigation/model.ts';

/**
 * The parts of the incident thread the CLI renders itself, from the same data the Slack thread is built from
 * (the alert, the engine's progress events, the derived plan); the final answer is the Slack message itself.
 */

const percent = (confidence: number): string => `${Math.round(confidence * 100)}%`;

export function renderRoot(alert: Alert): string {
  const lines = [`🚨 ${alert.title}  (${alert.source})`];
  if (alert.text) lines.push(`   ${alert.text}`);
  const labels = Object.entries(alert.labels).map(([name, value]) => `${name}=${value}`);
  if (labels.length > 0) lines.push(`   labels: ${labels.join(' ')}`);
  if (alert.startsAt) lines.push(`   since ${alert.startsAt}`);
  lines.push('└ 🔎 Investigating…');
  return lines.join('\n');
}

/** One line per progress event; the final result is rendered by renderAnswer instead. */
export function renderProgress(progress: Progress): string | null {
  switch (progress.type) {
    case 'step':
      return `  · ${progress.message}`;
    case 'hypothesis': {
      const { hypothesis } = progress;
      const subject = `${entityLabel(hypothesis.entity)} — ${hypothesis.faultType}`;
      if (progress.change === 'ruled-out') {
        return `  ✗ ruled out ${subject}${progress.reason ? `: ${progress.reason}` : ''}`;
      }
      const verb = progress.change === 'added' ? '+ hypothesis' : '↑ strengthened';
      return `  ${verb} ${subject} (${percent(hypothesis.confidence)}): ${hypothesis.summary}`;
    }
    case 'done':
      return null;
  }
}

export function renderPlan(plan: PlanSpec): string {
  return [
    `🛠  Remediation plan: ${plan.summary}`,
    `   Risk: ${plan.risk} — ${plan.riskReason}`,
    '   Change:',
    ...plan.diff.split('\n').map((line) => `     ${line}`),
    '   Verification:',
    ...plan.verification.map((check) => `     • ${describeCheck(check)}`),
    `   Rollback: ${plan.rollback}`,
    '   [ Approve ]  [ Reject ]   — nothing changes in the cluster until a human approves',
  ].join('\n');
}

export function renderPlanRefused(summary: string, reason: string): string {
  return `🛠  No remediation plan: ${summary} cannot be applied as is (${reason}).`;
}

function describeCheck(check: Check): string {
  switch (check.type) {
    case 'rollout-complete':
      return `rollout of ${entityLabel(check.ref)} completes`;
    case 'pods-ready':
      return `at least ${check.minReady} pod(s) ready in ${check.namespace} matching ${Object.entries(check.selector)
        .map(([k, v]) => `${k}=${v}`)
        .join(',')}`;
    case 'endpoints-ready':
      return `Service ${check.namespace}/${check.name} has ready endpoints`;
    case 'field':
      return `${entityLabel(check.ref)} ${check.condition.path} ${check.condition.absent ? 'is absent' : `= ${JSON.stringify(check.condition.value)}`}`;
    case 'absent':
      return `${entityLabel(check.ref)} is gone`;
    case 'present':
      return `${entityLabel(check.ref)} exists`;
    case 'pod-replaced':
      return `${entityLabel(check.ref)} is replaced by a new pod`;
  }
}
