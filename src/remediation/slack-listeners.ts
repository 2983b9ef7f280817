import type { App } from '@slack/bolt';
import { z } from 'zod';
import {
  APPROVE_ACTION_ID,
  REJECT_ACTION_ID,
  REJECT_REASON_BLOCK,
  REJECT_REASON_INPUT,
  REJECT_VIEW_ID,
} from '../slack/plan-message.ts';
import { handOff } from '../slack/hand-off.ts';
import { type ApprovalDeps, approve, askRejectReason, type PlanClick, reject } from './approval.ts';

const ButtonClickSchema = z.object({
  type: z.literal('block_actions'),
  user: z.object({ id: z.string().min(1) }),
  trigger_id: z.string().optional(),
  channel: z.object({ id: z.string().min(1) }).optional(),
  container: z.object({ channel_id: z.string().min(1).optional() }).optional(),
  actions: z.array(z.object({ action_id: z.string(), value: z.uuid() })).min(1),
});

const RejectSubmissionSchema = z.object({
  type: z.literal('view_submission'),
  user: z.object({ id: z.string().min(1) }),
  view: z.object({
    callback_id: z.literal(REJECT_VIEW_ID),
    private_metadata: z.string().transform((text, ctx) => {
      const parsed = z.object({ planId: z.uuid(), channelId: z.string().min(1) }).safeParse(safeJson(text));
      if (!parsed.success) {
        ctx.addIssue({ code: 'custom', message: 'private_metadata is not a plan reference' });
        return z.NEVER;
      }
      return parsed.data;
    }),
    state: z.object({
      values: z.record(z.string(), z.record(z.string(), z.object({ value: z.string().nullish() }))),
    }),
  }),
});

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function clickOf(body: unknown): PlanClick | null {
  const parsed = ButtonClickSchema.safeParse(body);
  if (!parsed.success) return null;
  const { user, actions, channel, container, trigger_id } = parsed.data;
  const channelId = channel?.id ?? container?.channel_id;
  const action = actions[0];
  if (!channelId || !action) return null;
  return { planId: action.value, userId: user.id, channelId, triggerId: trigger_id };
}

/** Thin Bolt listeners for the plan buttons and the reject modal: ack, validate, hand off to approval.ts. */
export function registerRemediationListeners(app: App, deps: ApprovalDeps): void {
  app.action(APPROVE_ACTION_ID, async ({ ack, body, client, logger }) => {
    await ack();
    const click = clickOf(body);
    if (!click) return logger.warn('remediation: malformed approve payload ignored');
    await handOff('record your approval', { logger, client, clicker: click }, () => approve(deps, click));
  });
  app.action(REJECT_ACTION_ID, async ({ ack, body, client, logger }) => {
    await ack();
    const click = clickOf(body);
    if (!click) return logger.warn('remediation: malformed reject payload ignored');
    await handOff('open the reject form', { logger, client, clicker: click }, () => askRejectReason(deps, click));
  });
  app.view(REJECT_VIEW_ID, async ({ ack, body, client, logger }) => {
    await ack();
    const parsed = RejectSubmissionSchema.safeParse(body);
    if (!parsed.success) return logger.warn('remediation: malformed reject submission ignored');
    const { user, view } = parsed.data;
    const reason = view.state.values[REJECT_REASON_BLOCK]?.[REJECT_REASON_INPUT]?.value?.trim() || undefined;
    const click = { planId: view.private_metadata.planId, userId: user.id, channelId: view.private_metadata.channelId };
    await handOff('record your rejection', { logger, client, clicker: click }, () => reject(deps, click, reason));
  });
}
