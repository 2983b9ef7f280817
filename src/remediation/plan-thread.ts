import type { Plan } from '../generated/prisma/client.ts';
import { escapeMrkdwn } from '../slack/mrkdwn.ts';
import { planBlocks } from '../slack/plan-message.ts';
import { VisibleState, type VisibleStateDeps } from '../slack/visible-state.ts';
import { findPlan, nextMessageVersion, saveMessage } from './plan-store.ts';

/** Posts the plan message in the incident thread (once, whatever the retries) and remembers where it is. */
export async function postPlanMessage(deps: VisibleStateDeps, planId: string): Promise<void> {
  const plan = await findPlan(deps.db, planId);
  if (!plan?.slackChannel) return;
  const version = await nextMessageVersion(deps.db, planId);
  const { text, blocks } = planBlocks(plan, version);
  const place = { incidentId: plan.incidentId, channel: plan.slackChannel, threadTs: plan.slackThreadTs };
  const ts = await new VisibleState(deps).post(place, `plan:${planId}`, { text, blocks }, 'plan');
  const saved = await saveMessage(deps.db, planId, plan.slackChannel, ts);
  // A move made while the message was on its way (an expiry, a click) could not edit it yet: show it now.
  if (saved.status !== plan.status) await refreshPlanMessage(deps, planId);
}

/** Re-renders the plan message in place from the database (status, decisions, buttons). */
export async function refreshPlanMessage(deps: VisibleStateDeps, planId: string): Promise<void> {
  const plan = await findPlan(deps.db, planId);
  if (!plan?.slackChannel || !plan.slackTs) return;
  const version = await nextMessageVersion(deps.db, planId);
  const { text, blocks } = planBlocks({ ...plan, messageVersion: version }, version);
  const place = { incidentId: plan.incidentId, channel: plan.slackChannel };
  await new VisibleState(deps).edit(place, plan.slackTs, { text, blocks }, 'plan');
}

/** A reply in the plan's incident thread, posted once per `key` (a refused proposal, a recovered execution). */
export async function replyInThread(
  deps: VisibleStateDeps,
  where: Pick<Plan, 'incidentId' | 'slackChannel'> & { slackThreadTs?: string | null },
  key: string,
  text: string,
): Promise<void> {
  if (!where.slackChannel) return;
  const place = { incidentId: where.incidentId, channel: where.slackChannel, threadTs: where.slackThreadTs ?? null };
  // Replies quote cluster errors and proposal summaries: no link or mention can come from them.
  await new VisibleState(deps).post(place, key, { text: escapeMrkdwn(text) }, key.split(':')[0] ?? 'reply');
}
