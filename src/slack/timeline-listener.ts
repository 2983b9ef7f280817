import type { App, webApi } from '@slack/bolt';
import type { AuditLog } from '../audit/audit-log.ts';
import { incidentTimeline } from '../audit/export.ts';
import type { PrismaClient } from '../generated/prisma/client.ts';
import { handOff } from './hand-off.ts';
import { type IncidentClick, incidentClickOf } from './incident-click.ts';
import { timelineMessage, TIMELINE_ACTION_ID } from './timeline-message.ts';
import { IncidentThread } from './thread.ts';
import { VisibleState } from './visible-state.ts';

export interface TimelineDeps {
  db: PrismaClient;
  audit: AuditLog;
  slack: webApi.WebClient;
}

/** The Timeline button: the incident's timeline so far, posted in its thread as a postmortem draft. */
export async function postTimeline(deps: TimelineDeps, click: IncidentClick): Promise<void> {
  const incident = await deps.db.incident.findUnique({ where: { id: click.incidentId } });
  if (!incident?.slackChannel || !incident.slackThreadTs) return;
  await deps.audit.record({
    actor: `slack:${click.userId}`,
    action: 'timeline.requested',
    target: `incident:${incident.id}`,
    incidentId: incident.id,
  });
  const timeline = await incidentTimeline(deps.db, incident.id);
  if (!timeline) return;
  const thread = new IncidentThread(new VisibleState(deps), incident.id, incident.slackChannel, incident.slackThreadTs);
  // Keyed by the click: a redelivered click posts nothing more, a later click a fresh draft.
  await thread.reply(timelineMessage(timeline), 'timeline', `timeline:${click.clickId}`);
}

/** Thin Bolt listener: ack, validate, hand off. */
export function registerTimelineListener(app: App, deps: TimelineDeps): void {
  app.action(TIMELINE_ACTION_ID, async ({ ack, body, client, logger }) => {
    await ack();
    const click = incidentClickOf(body);
    if (!click) return logger.warn('timeline: malformed click payload ignored');
    await handOff('post the timeline', { logger, client, clicker: click }, () => postTimeline(deps, click));
  });
}
