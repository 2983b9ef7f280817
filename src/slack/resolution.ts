import type { webApi } from '@slack/bolt';
import type { AuditLog } from '../audit/audit-log.ts';
import type { PrismaClient } from '../generated/prisma/client.ts';
import { findIncident } from '../store/incidents.ts';
import { IncidentThread, rootMessage } from './thread.ts';
import { VisibleState } from './visible-state.ts';

/** Says in the incident's thread (if it has one yet) that the source resolved it, and updates the root's status. */
export async function announceResolution(
  deps: { db: PrismaClient; audit: AuditLog; slack: webApi.WebClient },
  incidentId: string,
): Promise<void> {
  const incident = await findIncident(deps.db, incidentId);
  if (!incident?.slackChannel || !incident.slackThreadTs) return;
  const thread = new IncidentThread(new VisibleState(deps), incident.id, incident.slackChannel, incident.slackThreadTs);
  const resolvedAt = incident.resolvedAt?.toISOString() ?? 'unknown';
  await thread.reply(
    { text: `:large_green_circle: Resolved in ${incident.source}.` },
    'resolved',
    `resolved:${resolvedAt}`,
  );
  // The root may be a user's message (an @mention thread), which the bot cannot edit.
  await thread.edit(incident.slackThreadTs, rootMessage(incident), 'root').catch(() => undefined);
}
