import type { webApi } from '@slack/bolt';
import type { AuditLog } from '../audit/audit-log.ts';
import type { Incident, PrismaClient } from '../generated/prisma/client.ts';
import type { InvestigationResult } from '../investigation/model.ts';
import { errorMessage } from '../observability/error-message.ts';
import { showPagerDutySide, pagerDutyIncidentId, type WriteBackQueue } from '../pagerduty/write-back.ts';
import { seenBeforeMessage } from '../slack/seen-before.ts';
import type { IncidentThread } from '../slack/thread.ts';
import { seenBefore } from '../store/history.ts';

export interface FollowUpDeps {
  db: PrismaClient;
  audit: AuditLog;
  slack: webApi.WebClient;
  /** Set when PagerDuty write-back is configured (PAGERDUTY_API_TOKEN and PAGERDUTY_FROM_EMAIL). */
  pagerDuty?: WriteBackQueue;
  now?: () => Date;
}

export interface Answered {
  incident: Incident;
  investigationId: string;
  result: InvestigationResult;
  thread: IncidentThread;
}

/** Slack's permalink of each earlier thread (the only links the Seen before reply carries). */
async function threadLinks(
  slack: webApi.WebClient,
  incidents: { incidentId: string; slackChannel: string | null; slackThreadTs: string | null }[],
) {
  const links = new Map<string, string>();
  await Promise.all(
    incidents.map(async ({ incidentId, slackChannel, slackThreadTs }) => {
      if (!slackChannel || !slackThreadTs) return;
      const answer = await slack.chat
        .getPermalink({ channel: slackChannel, message_ts: slackThreadTs })
        .catch(() => null);
      if (answer?.permalink) links.set(incidentId, answer.permalink);
    }),
  );
  return links;
}

/**
 * What follows the answer in the thread: "Seen before" (earlier incidents like this one, and the Timeline button),
 * then — for a PagerDuty incident with write-back configured — the PagerDuty message with Acknowledge/Resolve and
 * the note queued for PagerDuty. Neither may fail the investigation: a failure is audited and the thread goes on.
 */
export async function followUpAnswer(deps: FollowUpDeps, answered: Answered): Promise<void> {
  const { incident, investigationId, result, thread } = answered;
  const now = deps.now?.() ?? new Date();
  try {
    const earlier = await seenBefore(deps.db, incident.id, result, now);
    const message = seenBeforeMessage(incident.id, earlier, await threadLinks(deps.slack, earlier), now);
    await thread.reply(message, 'seen-before', `${investigationId}:seen-before`);
  } catch (error) {
    await deps.audit.record({
      actor: 'worker',
      action: 'history.failed',
      target: `incident:${incident.id}`,
      incidentId: incident.id,
      justification: errorMessage(error),
    });
  }
  if (!deps.pagerDuty || !pagerDutyIncidentId(incident)) return;
  // The message first, so the note job (which re-renders it) finds it posted.
  await showPagerDutySide(deps, incident.id).catch(() => undefined);
  try {
    await deps.pagerDuty.enqueueNote(incident.id, investigationId);
  } catch (error) {
    await deps.audit.record({
      actor: 'worker',
      action: 'pagerduty.note.failed',
      target: `incident:${incident.id}`,
      incidentId: incident.id,
      justification: `not queued: ${errorMessage(error)}`,
      details: { investigationId },
    });
  }
}
