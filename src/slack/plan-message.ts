import type { types } from '@slack/bolt';
import type { Approval, Plan } from '../generated/prisma/client.ts';
import { planSpec } from '../remediation/plan-store.ts';
import type { PlanSpec } from '../remediation/plan-spec.ts';
import { clip, escapeMrkdwn, HEADER_TEXT, SECTION_TEXT } from './mrkdwn.ts';

export const APPROVE_ACTION_ID = 'remediation.approve';
export const REJECT_ACTION_ID = 'remediation.reject';
export const REJECT_VIEW_ID = 'remediation.reject-reason';
export const REJECT_REASON_BLOCK = 'reason';
export const REJECT_REASON_INPUT = 'reason-input';

// Slack Block Kit limits beyond the shared ones (shared/reference/protocols.md §2).
const CONFIRM_TEXT = 300;
const BUTTON_TEXT = 75;
const PLAIN_INPUT = 3000;

const RISK_LABEL = {
  low: ':large_green_circle: low',
  medium: ':large_orange_circle: medium',
  high: ':red_circle: high',
};

const STATUS_LINE: Record<Plan['status'], string> = {
  proposed: ':hourglass: Waiting for approval',
  approved: ':white_check_mark: Approved — queued for execution',
  executing: ':gear: Executing (dry run, apply, verify)',
  succeeded: ':white_check_mark: Applied and verified',
  failed: ':x: Failed',
  rolled_back: ':leftwards_arrow_with_hook: Failed verification — rolled back',
  rejected: ':no_entry: Rejected',
  expired: ':alarm_clock: Expired — not executed',
  stale: ':warning: Stale — the cluster changed since the plan was made; not executed',
};

const when = (date: Date): string =>
  `<!date^${Math.floor(date.getTime() / 1000)}^{date_short_pretty} {time_secs}|${date.toISOString()}>`;

function decisionLines(approvals: Approval[]): string[] {
  return approvals.map((approval) =>
    approval.decision === 'approve'
      ? `:heavy_check_mark: <@${approval.userId}> approved ${when(approval.createdAt)}`
      : `:heavy_multiplication_x: <@${approval.userId}> rejected ${when(approval.createdAt)}${approval.reason ? `: ${escapeMrkdwn(approval.reason)}` : ''}`,
  );
}

function diffSection(diff: string): string {
  const fence = '```';
  const cut = '\n… (diff cut; the full change is in the audit trail)';
  const room = SECTION_TEXT - 2 * (fence.length + 1) - cut.length;
  const body = diff.length <= room ? diff : `${diff.slice(0, room)}${cut}`;
  return `${fence}\n${body}\n${fence}`;
}

/**
 * The plan message: summary, risk, the exact change as a diff, who decided what and when, and —
 * while the plan waits — Approve/Reject buttons with confirmations. `version` makes block_ids new on every update.
 */
export function planBlocks(
  plan: Plan & { approvals: Approval[] },
  version: number,
): { text: string; blocks: types.KnownBlock[] } {
  const spec = planSpec(plan);
  const id = (name: string) => `plan-${plan.id}-v${version}-${name}`;
  const approvals = plan.approvals.filter((approval) => approval.decision === 'approve').length;
  const status = [STATUS_LINE[plan.status]];
  if (plan.statusReason) status.push(escapeMrkdwn(plan.statusReason));
  if (plan.status === 'proposed') {
    status.push(
      `Needs ${plan.requiredApprovals} approval(s) (${approvals} so far)${plan.requestedBy ? `, not only from the requester <@${plan.requestedBy}>` : ''}. Expires ${when(plan.expiresAt)}.`,
    );
  }
  const blocks: types.KnownBlock[] = [
    {
      type: 'header',
      block_id: id('header'),
      text: { type: 'plain_text', text: clip(`Remediation plan: ${spec.summary}`, HEADER_TEXT) },
    },
    {
      type: 'section',
      block_id: id('summary'),
      text: {
        type: 'mrkdwn',
        text: clip(
          `${plan.cluster ? `*Cluster:* \`${escapeMrkdwn(plan.cluster)}\` (the executor changes this cluster only)\n` : ''}*Risk:* ${RISK_LABEL[spec.risk]} — ${escapeMrkdwn(spec.riskReason)}\n*Rollback:* ${escapeMrkdwn(spec.rollback)}`,
          SECTION_TEXT,
        ),
      },
    },
    { type: 'section', block_id: id('diff'), text: { type: 'mrkdwn', text: diffSection(spec.diff) } },
    {
      type: 'context',
      block_id: id('verify'),
      elements: [{ type: 'mrkdwn', text: clip(`*Verification:* ${describeChecks(spec)}`, SECTION_TEXT) }],
    },
    {
      type: 'section',
      block_id: id('status'),
      text: { type: 'mrkdwn', text: clip([...status, ...decisionLines(plan.approvals)].join('\n'), SECTION_TEXT) },
    },
  ];
  if (plan.status === 'proposed') blocks.push(buttons(plan, spec, id('actions')));
  return {
    text: clip(
      `Remediation plan (${spec.risk} risk): ${escapeMrkdwn(spec.summary)} — ${STATUS_LINE[plan.status]}`,
      SECTION_TEXT,
    ),
    blocks,
  };
}

function describeChecks(spec: PlanSpec): string {
  const kinds = new Set(spec.verification.map((check) => check.type));
  const words: Record<string, string> = {
    'rollout-complete': 'rollout complete',
    'pods-ready': 'pods ready',
    'endpoints-ready': 'Service endpoints ready',
    field: 'the change is in place',
    absent: 'the object is gone',
    present: 'the object exists',
    'pod-replaced': 'the pod is replaced',
  };
  return [...kinds].map((kind) => words[kind] ?? kind).join(', ') || 'none';
}

function buttons(plan: Plan, spec: PlanSpec, blockId: string): types.ActionsBlock {
  const confirm = (title: string, text: string, ok: string, style: 'primary' | 'danger'): types.ConfirmationDialog => ({
    title: { type: 'plain_text', text: title },
    text: { type: 'mrkdwn', text: clip(text, CONFIRM_TEXT) },
    confirm: { type: 'plain_text', text: ok },
    deny: { type: 'plain_text', text: 'Cancel' },
    style,
  });
  return {
    type: 'actions',
    block_id: blockId,
    elements: [
      {
        type: 'button',
        action_id: APPROVE_ACTION_ID,
        text: { type: 'plain_text', text: clip('Approve', BUTTON_TEXT) },
        style: 'primary',
        value: plan.id,
        confirm: confirm(
          'Approve this change?',
          `${escapeMrkdwn(spec.summary)} (${spec.risk} risk). The bot re-checks the cluster, dry-runs, applies, verifies, and rolls back if verification fails.`,
          'Approve',
          'primary',
        ),
      },
      {
        type: 'button',
        action_id: REJECT_ACTION_ID,
        text: { type: 'plain_text', text: clip('Reject', BUTTON_TEXT) },
        style: 'danger',
        value: plan.id,
        confirm: confirm(
          'Reject this plan?',
          'Nothing will be changed. You can give a reason next.',
          'Reject',
          'danger',
        ),
      },
    ],
  };
}

/** The modal that asks for an optional rejection reason; plan and channel travel in private_metadata. */
export function rejectReasonView(planId: string, channelId: string): types.ModalView {
  return {
    type: 'modal',
    callback_id: REJECT_VIEW_ID,
    private_metadata: JSON.stringify({ planId, channelId }),
    title: { type: 'plain_text', text: 'Reject plan' },
    submit: { type: 'plain_text', text: 'Reject' },
    close: { type: 'plain_text', text: 'Cancel' },
    blocks: [
      {
        type: 'input',
        block_id: REJECT_REASON_BLOCK,
        optional: true,
        label: { type: 'plain_text', text: 'Reason (optional)' },
        element: { type: 'plain_text_input', action_id: REJECT_REASON_INPUT, multiline: true, max_length: PLAIN_INPUT },
      },
    ],
  };
}
