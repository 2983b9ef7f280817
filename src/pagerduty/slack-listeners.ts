import type { App, webApi } from '@slack/bolt';
import type { AuditLog } from '../audit/audit-log.ts';
import type { PrismaClient } from '../generated/prisma/client.ts';
import type { Approvers } from '../remediation/approvers.ts';
import { handOff } from '../slack/hand-off.ts';
import { type IncidentClick, incidentClickOf } from '../slack/incident-click.ts';
import type { PagerDutyStatus } from './client.ts';
import { ACKNOWLEDGE_ACTION_ID, RESOLVE_ACTION_ID } from './thread-message.ts';
import { pagerDutyIncidentId, showPagerDutySide, type WriteBackQueue } from './write-back.ts';

export interface PagerDutyButtonDeps {
  db: PrismaClient;
  audit: AuditLog;
  slack: webApi.WebClient;
  /** The same people who may decide on remediation plans (APPROVER_USER_IDS / APPROVER_USERGROUP_ID). */
  approvers: Approvers;
  queue: WriteBackQueue;
}

const tell = (deps: PagerDutyButtonDeps, click: IncidentClick, text: string) =>
  deps.slack.chat.postEphemeral({ channel: click.channelId, user: click.userId, text }).then(() => undefined);

/** Acknowledge / Resolve: admitted for approvers only, audited either way, then handed to the write-back queue. */
export async function requestStatus(deps: PagerDutyButtonDeps, click: IncidentClick, status: PagerDutyStatus) {
  const incident = await deps.db.incident.findUnique({ where: { id: click.incidentId } });
  const pagerDutyId = incident && pagerDutyIncidentId(incident);
  if (!incident || !pagerDutyId) {
    await tell(deps, click, 'This incident is not linked to a PagerDuty incident; nothing was changed.');
    return;
  }
  const actor = `slack:${click.userId}`;
  const target = `pagerduty:${pagerDutyId}`;
  if (!(await deps.approvers.includes(click.userId))) {
    await deps.audit.record({
      actor,
      action: 'pagerduty.update.refused',
      target,
      incidentId: incident.id,
      justification: 'not an approver',
      details: { status },
    });
    await tell(deps, click, `You are not allowed to change PagerDuty incidents from Slack, so it was not ${status}.`);
    return;
  }
  if (incident.status === 'resolved') {
    await tell(deps, click, 'This incident is already resolved; nothing was sent to PagerDuty.');
    await showPagerDutySide(deps, incident.id).catch(() => undefined);
    return;
  }
  await deps.audit.record({
    actor,
    action: 'pagerduty.update.requested',
    target,
    incidentId: incident.id,
    details: { status },
  });
  await deps.queue.enqueueStatus({
    incidentId: incident.id,
    status,
    userId: click.userId,
    channelId: click.channelId,
    clickId: click.clickId,
  });
}

/** Thin Bolt listeners: ack, validate, hand off. */
export function registerPagerDutyListeners(app: App, deps: PagerDutyButtonDeps): void {
  for (const [actionId, status] of [
    [ACKNOWLEDGE_ACTION_ID, 'acknowledged'],
    [RESOLVE_ACTION_ID, 'resolved'],
  ] as const) {
    app.action(actionId, async ({ ack, body, client, logger }) => {
      await ack();
      const click = incidentClickOf(body);
      if (!click) return logger.warn(`pagerduty: malformed ${actionId} payload ignored`);
      const what = `mark the PagerDuty incident ${status}`;
      await handOff(what, { logger, client, clicker: click }, () => requestStatus(deps, click, status));
    });
  }
}
