import type { webApi } from '@slack/bolt';
import type { Plan, PrismaClient } from '../generated/prisma/client.ts';
import { planBlocks } from '../slack/plan-message.ts';
import { findPlan, nextMessageVersion, saveMessage } from './plan-store.ts';

/** Posts the plan message in the incident thread and remembers where it is. */
export async function postPlanMessage(db: PrismaClient, slack: webApi.WebClient, planId: string): Promise<void> {
  const plan = await findPlan(db, planId);
  if (!plan?.slackChannel) return;
  const version = await nextMessageVersion(db, planId);
  const { text, blocks } = planBlocks(plan, version);
  const posted = await slack.chat.postMessage({
    channel: plan.slackChannel,
    ...(plan.slackThreadTs ? { thread_ts: plan.slackThreadTs } : {}),
    text,
    blocks: blocks as never,
  });
  if (posted.ts) await saveMessage(db, planId, posted.channel ?? plan.slackChannel, posted.ts);
}

/** Re-renders the plan message in place from the database (status, decisions, buttons). */
export async function refreshPlanMessage(db: PrismaClient, slack: webApi.WebClient, planId: string): Promise<void> {
  const plan = await findPlan(db, planId);
  if (!plan?.slackChannel || !plan.slackTs) return;
  const version = await nextMessageVersion(db, planId);
  const { text, blocks } = planBlocks({ ...plan, messageVersion: version }, version);
  await slack.chat.update({ channel: plan.slackChannel, ts: plan.slackTs, text, blocks: blocks as never });
}

/** A reply in the plan's incident thread (a refused proposal, execution progress and outcome). */
export async function replyInThread(
  slack: webApi.WebClient,
  where: Pick<Plan, 'slackChannel'> & { slackThreadTs?: string | null },
  text: string,
): Promise<void> {
  if (!where.slackChannel) return;
  await slack.chat.postMessage({
    channel: where.slackChannel,
    ...(where.slackThreadTs ? { thread_ts: where.slackThreadTs } : {}),
    text,
  });
}
