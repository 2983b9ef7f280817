import { createHmac } from 'node:crypto';

/** Headers Slack sends: `v0=hex(HMAC-SHA256(secret, "v0:" + ts + ":" + body))`. */
export function slackHeaders(secret: string, body: string, ts = Math.floor(Date.now() / 1000)): Record<string, string> {
  return {
    'x-slack-request-timestamp': String(ts),
    'x-slack-signature': `v0=${createHmac('sha256', secret).update(`v0:${ts}:${body}`).digest('hex')}`,
  };
}

/** `X-PagerDuty-Signature: v1=<hex>[,v1=<hex>…]`, one signature per secret, as PagerDuty sends during rotation. */
export function pagerDutySignature(body: string | Buffer, ...secrets: string[]): string {
  return secrets.map((secret) => `v1=${createHmac('sha256', secret).update(body).digest('hex')}`).join(',');
}

/** A form-encoded slash command body, as Slack posts it. */
export function slashCommandBody(fields: Record<string, string>): string {
  return new URLSearchParams(fields).toString();
}

/** A `block_actions` payload for one button click on a bot message, as Slack delivers it. */
export function buttonClickPayload(click: {
  userId: string;
  channel: string;
  messageTs: string;
  responseUrl: string;
  actionId: string;
  blockId: string;
  text: string;
  value: string;
}): Record<string, unknown> {
  const { userId, channel, messageTs } = click;
  return {
    type: 'block_actions',
    user: { id: userId, username: userId.toLowerCase(), team_id: 'T0FAKE' },
    api_app_id: 'A0FAKE',
    token: 'legacy',
    trigger_id: `trigger-${userId}`,
    team: { id: 'T0FAKE', domain: 'fake' },
    container: { type: 'message', message_ts: messageTs, channel_id: channel, is_ephemeral: false },
    channel: { id: channel, name: 'incidents' },
    message: { type: 'message', ts: messageTs, text: '', blocks: [] },
    state: { values: {} },
    response_url: click.responseUrl,
    actions: [
      {
        type: 'button',
        action_id: click.actionId,
        block_id: click.blockId,
        text: { type: 'plain_text', text: click.text },
        value: click.value,
        action_ts: `${(Date.now() / 1000).toFixed(6)}`,
      },
    ],
  };
}
