import type { FakeSlack } from './fake-slack.ts';
import type { EnvelopeType } from './fake-socket-mode.ts';
import { slackHeaders, slashCommandBody } from './signing.ts';

/** How Slack reaches the bot: signed POSTs to /slack/events, or envelopes over Socket Mode's WebSocket. */
export type SlackMode = 'http' | 'socket';
export const SLACK_MODES: readonly SlackMode[] = ['http', 'socket'];

export const APP_TOKEN = 'xapp-1-A0FAKEAPP-1-test';

/**
 * Slack delivering a payload to the bot, the way the chosen mode does. Each method resolves once Slack has
 * its answer, with the HTTP status; in Socket Mode the envelope's acknowledgement plays the part of the 200
 * (no acknowledgement rejects).
 */
export interface SlackDoor {
  readonly mode: SlackMode;
  command(fields: Record<string, string>): Promise<number>;
  event(body: Record<string, unknown>): Promise<number>;
  interaction(payload: Record<string, unknown>): Promise<number>;
}

/** Signed requests to the bot's /slack/events, as Slack sends them in HTTP mode. */
export function httpDoor(eventsUrl: string, signingSecret: string): SlackDoor {
  const post = async (body: string, contentType: string) => {
    const response = await fetch(eventsUrl, {
      method: 'POST',
      body,
      headers: { 'content-type': contentType, ...slackHeaders(signingSecret, body) },
    });
    await response.arrayBuffer();
    return response.status;
  };
  return {
    mode: 'http',
    command: (fields) => post(slashCommandBody(fields), 'application/x-www-form-urlencoded'),
    event: (body) => post(JSON.stringify(body), 'application/json'),
    interaction: (payload) =>
      post(`payload=${encodeURIComponent(JSON.stringify(payload))}`, 'application/x-www-form-urlencoded'),
  };
}

/** Envelopes over the fake Socket Mode connection the bot opened; delivered once acknowledged by envelope_id. */
export function socketDoor(slack: FakeSlack): SlackDoor {
  // deliver() matches the acknowledgement to the envelope by id, and rejects when none comes.
  const deliver = async (type: EnvelopeType, payload: Record<string, unknown>) => {
    await slack.socketMode.deliver(type, payload);
    return 200;
  };
  return {
    mode: 'socket',
    command: (fields) => deliver('slash_commands', fields),
    event: (body) => deliver('events_api', body),
    interaction: (payload) => deliver('interactive', payload),
  };
}
