import type { Alert } from '../alert/alert.ts';
import type { EntityRef, Evidence, InvestigationResult, Progress } from '../investigation/model.ts';
import type { Check, PlanSpec } from '../remediation/plan-spec.ts';

/**
 * The incident thread as plain text, from the same data the Slack thread is built from (the alert, the engine's
 * progress events, its result and the derived plan), so that a terminal reads like the channel would.
 */

const MAX_EVIDENCE = 8;

export const entity = (ref: EntityRef): string => `${ref.kind} ${ref.namespace ? `${ref.namespace}/` : ''}${ref.name}`;

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
      const subject = `${entity(hypothesis.entity)} — ${hypothesis.faultType}`;
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

export function renderAnswer(result: InvestigationResult): string {
  const lines: string[] = [];
  if (!result.rootCause) {
    lines.push('❔ No root cause found', `   ${result.summary}`);
  } else {
    lines.push(
      `✅ Root cause: ${entity(result.rootCause)}`,
      `   Fault: ${result.faultType ?? 'unknown'} · Confidence: ${percent(result.confidence)}`,
      `   ${result.summary}`,
    );
  }
  const top = result.rootCause
    ? result.hypotheses.find((h) => h.entity.kind === result.rootCause?.kind && h.entity.name === result.rootCause.name)
    : undefined;
  if (top && top.path.length > 1) lines.push('', `Path: ${top.path.map(entity).join(' → ')}`);
  if (top && top.evidence.length > 0) {
    lines.push('', 'Evidence:', ...renderEvidence(top.evidence));
  }
  if (result.ruledOut.length > 0) {
    lines.push('', 'Ruled out:', ...result.ruledOut.map((item) => `  • ${entity(item.entity)} — ${item.reason}`));
  }
  const others = result.hypotheses.filter((h) => h !== top);
  if (others.length > 0) {
    lines.push(
      '',
      'Other hypotheses:',
      ...others.map((h) => `  • ${entity(h.entity)} — ${h.faultType} (${percent(h.confidence)}): ${h.summary}`),
    );
  }
  if (result.assumptions.length > 0) {
    lines.push('', 'Assumed:', ...result.assumptions.map((assumption) => `  • ${assumption}`));
  }
  if (result.remediation) lines.push('', `Suggested fix: ${result.remediation.summary}`);
  return lines.join('\n');
}

function renderEvidence(evidence: Evidence[]): string[] {
  const lines = evidence
    .slice(0, MAX_EVIDENCE)
    .map((item) => `  • [${item.source}] ${entity(item.ref)}: ${item.text}${item.at ? ` (${item.at})` : ''}`);
  if (evidence.length > MAX_EVIDENCE) lines.push(`  … and ${evidence.length - MAX_EVIDENCE} more`);
  return lines;
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
  const ref = (r: { kind: string; namespace?: string; name: string }) => entity(r);
  switch (check.type) {
    case 'rollout-complete':
      return `rollout of ${ref(check.ref)} completes`;
    case 'pods-ready':
      return `at least ${check.minReady} pod(s) ready in ${check.namespace} matching ${Object.entries(check.selector)
        .map(([k, v]) => `${k}=${v}`)
        .join(',')}`;
    case 'endpoints-ready':
      return `Service ${check.namespace}/${check.name} has ready endpoints`;
    case 'field':
      return `${ref(check.ref)} ${check.condition.path} ${check.condition.absent ? 'is absent' : `= ${JSON.stringify(check.condition.value)}`}`;
    case 'absent':
      return `${ref(check.ref)} is gone`;
    case 'present':
      return `${ref(check.ref)} exists`;
    case 'pod-replaced':
      return `${ref(check.ref)} is replaced by a new pod`;
  }
}
