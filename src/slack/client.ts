import { webApi } from '@slack/bolt';
import { redactingFetch } from '../redaction/slack-fetch.ts';

/** What a caller may choose about a Slack client: everything but how it sends (that is the redaction policy's). */
export type SlackClientOptions = Omit<webApi.WebClientOptions, 'fetch'>;

/**
 * The options every Slack Web API client of the bot is built with, Bolt's included (Bolt builds its clients and
 * respond() from its `clientOptions`). The redacting fetch is set last, so no caller can leave it out or replace it.
 */
export function slackClientOptions(options: SlackClientOptions = {}): webApi.WebClientOptions {
  return { ...options, fetch: redactingFetch };
}

/** The only way the bot gets a Slack client: each message, update or modal it sends is masked on its way out. */
export function createSlackClient(token: string | undefined, options: SlackClientOptions = {}): webApi.WebClient {
  return new webApi.WebClient(token, slackClientOptions(options));
}
