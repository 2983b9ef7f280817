import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { z } from 'zod';

/** Where the /ui cookies are sent: nowhere else on the host (not to the webhooks, not to Slack's endpoint). */
const COOKIE_PATH = '/ui';

export function readCookies(req: IncomingMessage): Map<string, string> {
  const cookies = new Map<string, string>();
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const at = part.indexOf('=');
    if (at > 0) cookies.set(part.slice(0, at).trim(), part.slice(at + 1).trim());
  }
  return cookies;
}

/**
 * Cookies whose value is JSON signed with HMAC-SHA256 (`<base64url json>.<base64url mac>`), each name its own
 * purpose in the MAC so a value of one cookie is never accepted as another. The payload carries its expiry; the
 * cookie is HttpOnly (no script reads it), SameSite=Lax (sent on a top-level navigation back from the identity
 * provider, never on a cross-site POST) and Secure when the pages are served over https.
 */
export class SignedCookies {
  constructor(
    private readonly secret: string,
    private readonly secure: boolean,
  ) {}

  private mac(name: string, body: string): string {
    return createHmac('sha256', this.secret).update(`incident-bot:ui:${name}\n${body}`).digest('base64url');
  }

  /** A Set-Cookie header carrying `value` for `maxAgeSeconds`. */
  set(name: string, value: object, maxAgeSeconds: number, now: Date): string {
    const body = Buffer.from(JSON.stringify({ ...value, exp: now.getTime() + maxAgeSeconds * 1000 })).toString(
      'base64url',
    );
    return this.header(name, `${body}.${this.mac(name, body)}`, maxAgeSeconds);
  }

  /** A Set-Cookie header that removes the cookie. */
  clear(name: string): string {
    return this.header(name, '', 0);
  }

  /** The cookie's value if it is ours, unexpired and of the expected shape; null otherwise. */
  read<S extends z.ZodType>(req: IncomingMessage, name: string, schema: S, now: Date): z.output<S> | null {
    const cookie = readCookies(req).get(name);
    const [body, mac] = cookie?.split('.') ?? [];
    if (!body || !mac) return null;
    const expected = Buffer.from(this.mac(name, body));
    const given = Buffer.from(mac);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return null;
    let payload: unknown;
    try {
      payload = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
    } catch {
      return null;
    }
    const exp = (payload as { exp?: unknown }).exp;
    if (typeof exp !== 'number' || exp <= now.getTime()) return null;
    const parsed = schema.safeParse(payload);
    return parsed.success ? parsed.data : null;
  }

  private header(name: string, value: string, maxAgeSeconds: number): string {
    return [
      `${name}=${value}`,
      `Path=${COOKIE_PATH}`,
      `Max-Age=${maxAgeSeconds}`,
      'HttpOnly',
      'SameSite=Lax',
      ...(this.secure ? ['Secure'] : []),
    ].join('; ');
  }
}
