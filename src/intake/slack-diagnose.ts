import type { webApi } from '@slack/bolt';
import type { Alert } from '../alert/alert.ts';
import { escapeMrkdwn } from '../slack/mrkdwn.ts';
import { rootMessage } from '../slack/root-message.ts';
import { VisibleState } from '../slack/visible-state.ts';
import { findIncident } from '../store/incidents.ts';
import { type IntakeDeps, openInvestigation } from './open-investigation.ts';

export interface DiagnoseRequest {
  channel: string;
  user: string;
  text: string;
}

/**
 * A leading `namespace/deployment` (the command's usage hint) and `key=value` words become labels; the
 * text stays whole for the investigation.
 */
export function alertFromRequest(request: DiagnoseRequest, externalId: string): Alert & { externalId: string } {
  const text = request.text.trim();
  const workload = /^([a-z0-9][a-z0-9-]*)\/([a-z0-9][a-z0-9.-]*)(?:\s|$)/.exec(text);
  const labels = {
    ...(workload ? { namespace: workload[1]!, deployment: workload[2]! } : {}),
    ...Object.fromEntries(
      [...text.matchAll(/(?:^|\s)([A-Za-z_][A-Za-z0-9_]*)=(\S+)/g)].map((match) => [match[1]!, match[2]!]),
    ),
  };
  const title = text.split('\n')[0]?.slice(0, 150) || 'Diagnose request';
  return {
    source: 'slack',
    title,
    ...(text ? { text } : {}),
    labels,
    annotations: { requested_by: request.user },
    externalId,
  };
}

/**
 * `/diagnose <text>`: a root message in the channel where it was typed, then the investigation in its thread.
 * One incident per `trigger_id`: a replayed or retried command finds it and posts nothing. Returns the thread's
 * ts, or null for such a repeat.
 */
export async function diagnoseInChannel(
  deps: IntakeDeps,
  slack: webApi.WebClient,
  request: DiagnoseRequest & { triggerId: string },
): Promise<string | null> {
  const opened = await openInvestigation(deps, alertFromRequest(request, `trigger:${request.triggerId}`), {
    thread: async (incident) => {
      const text = `:mag: <@${request.user}> asked to diagnose: ${escapeMrkdwn(request.text) || '(no details)'}`;
      const place = { incidentId: incident.id, channel: request.channel };
      const ts = await new VisibleState({ ...deps, slack }).post(place, 'root', { text }, 'root');
      return { channel: request.channel, ts };
    },
  });
  if (opened.duplicate) return null;
  const incident = await findIncident(deps.db, opened.incidentId);
  if (!incident?.slackChannel || !incident.slackThreadTs) return null;
  await new VisibleState({ ...deps, slack }).edit(
    { incidentId: incident.id, channel: incident.slackChannel },
    incident.slackThreadTs,
    rootMessage(incident),
    'root',
  );
  return incident.slackThreadTs;
}

/** An @mention: the investigation runs in the mention's thread (or the thread it was made in). */
export async function diagnoseMention(
  deps: IntakeDeps,
  request: DiagnoseRequest & { ts: string; threadTs?: string },
): Promise<string> {
  const threadTs = request.threadTs ?? request.ts;
  const opened = await openInvestigation(deps, alertFromRequest(request, `${request.channel}:${request.ts}`), {
    thread: { channel: request.channel, ts: threadTs },
  });
  return opened.incidentId;
}
