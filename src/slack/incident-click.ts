import { z } from 'zod';

/** A click on a button whose value is one of our incident ids, as Slack sends it (block_actions). */
const IncidentClickSchema = z.object({
  type: z.literal('block_actions'),
  user: z.object({ id: z.string().min(1) }),
  channel: z.object({ id: z.string().min(1) }).optional(),
  container: z.object({ channel_id: z.string().min(1).optional() }).optional(),
  actions: z.array(z.object({ action_id: z.string(), value: z.uuid(), action_ts: z.string().min(1) })).min(1),
});

export interface IncidentClick {
  incidentId: string;
  userId: string;
  channelId: string;
  /** Slack's id of this click: the same on a redelivery, so what the click does happens once. */
  clickId: string;
}

export function incidentClickOf(body: unknown): IncidentClick | null {
  const parsed = IncidentClickSchema.safeParse(body);
  if (!parsed.success) return null;
  const { user, channel, container, actions } = parsed.data;
  const channelId = channel?.id ?? container?.channel_id;
  const [action] = actions;
  if (!channelId || !action) return null;
  return {
    incidentId: action.value,
    userId: user.id,
    channelId,
    clickId: `${user.id}-${action.action_ts.replace(/\D/g, '')}`,
  };
}
