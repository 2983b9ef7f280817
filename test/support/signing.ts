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
