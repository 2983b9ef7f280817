import type { App } from '@slack/bolt';
import { z } from 'zod';
import { type IntakeDeps, UnknownClusterError } from './open-investigation.ts';
import { diagnoseInChannel, diagnoseMention } from './slack-diagnose.ts';
import { errorMessage } from '../observability/error-message.ts';

/** Slack ids are upper-case letters and digits; anything else is not from Slack and is never put in a mention. */
const SlackId = z.string().regex(/^[A-Z0-9]+$/, 'not a Slack id');

const DiagnoseCommandSchema = z.object({
  command: z.literal('/diagnose'),
  text: z.string().default(''),
  user_id: SlackId,
  channel_id: SlackId,
  // Unique per invocation: a replayed or retried command is recognised by it.
  trigger_id: z.string().min(1),
});

const MentionSchema = z.object({
  type: z.literal('app_mention'),
  user: SlackId,
  text: z.string(),
  ts: z.string().min(1),
  thread_ts: z.string().optional(),
  channel: SlackId,
  bot_id: z.string().optional(),
});

const withoutMentions = (text: string) => text.replace(/<@[A-Z0-9]+(\|[^>]*)?>/g, '').trim();

/** The Slack doors of intake: thin — ack, validate, hand off. */
export function registerIntakeListeners(app: App, deps: IntakeDeps): void {
  app.command('/diagnose', async ({ command, ack, client, respond, logger }) => {
    await ack();
    const parsed = DiagnoseCommandSchema.safeParse(command);
    if (!parsed.success) {
      await respond({ response_type: 'ephemeral', text: 'Sorry, that /diagnose request was not understood.' });
      return;
    }
    const { user_id: user, channel_id: channel, text, trigger_id: triggerId } = parsed.data;
    try {
      const ts = await diagnoseInChannel(deps, client, { channel, user, text, triggerId });
      if (!ts) await respond({ response_type: 'ephemeral', text: 'This /diagnose request is already being handled.' });
    } catch (error) {
      if (error instanceof UnknownClusterError) {
        await respond({ response_type: 'ephemeral', text: `:no_entry: ${error.message}` });
        return;
      }
      logger.error(`/diagnose failed: ${errorMessage(error)}`);
      await respond({
        response_type: 'ephemeral',
        text: `Could not start the investigation here (${errorMessage(error)}). Is the bot in this channel?`,
      });
    }
  });

  app.event('app_mention', async ({ event, client, logger }) => {
    const parsed = MentionSchema.safeParse(event);
    if (!parsed.success || parsed.data.bot_id) return;
    const { user, channel, ts, thread_ts: threadTs, text } = parsed.data;
    try {
      await diagnoseMention(deps, {
        channel,
        user,
        text: withoutMentions(text),
        ts,
        ...(threadTs ? { threadTs } : {}),
      });
    } catch (error) {
      if (error instanceof UnknownClusterError) {
        await client.chat.postEphemeral({ channel, user, text: `:no_entry: ${error.message}` });
        return;
      }
      logger.error(`app_mention failed: ${errorMessage(error)}`);
    }
  });
}
