import type { IncomingMessage, ServerResponse } from 'node:http';
import type { UiAuth } from '../settings.ts';
import { OidcSignIn, type PendingSignIn, PendingSignInSchema } from './oidc.ts';
import { SignedCookies } from './signed-cookie.ts';
import { type Viewer, ViewerSchema } from './viewer.ts';

const SESSION_COOKIE = 'ib_ui_session';
const SIGN_IN_COOKIE = 'ib_ui_sign_in';
/** Time the person has at the identity provider's login page before the sign-in must start over. */
const SIGN_IN_SECONDS = 600;

/** A /ui path to come back to after signing in; anything else (another host, `//evil`) goes to the list. */
export function returnPath(value: string | null): string {
  return value && /^\/ui(\/[^/\\]|\/?$|\?)/.test(value) ? value : '/ui/incidents';
}

/** Who a request comes from: its signed session (OIDC) or the trusted proxy's headers. */
export interface Authenticator {
  readonly mode: UiAuth['mode'];
  /** The viewer, or null when the request is not signed in. */
  viewer(req: IncomingMessage, now: Date): Viewer | null;
  /** OIDC: the IdP URL to send the browser to, after setting the sign-in cookie on `res`. */
  beginSignIn?(res: ServerResponse, returnTo: string, now: Date): Promise<URL>;
  /** OIDC: the IdP's answer (the callback's query) checked; the pending sign-in it answers and who signed in. */
  completeSignIn?(req: IncomingMessage, query: string, now: Date): Promise<{ viewer: Viewer; pending: PendingSignIn }>;
  /** Set-Cookie headers that start a session for `viewer` and end the sign-in. */
  startSession?(viewer: Viewer, now: Date): string[];
  endSession?(): string[];
}

export class SignInExpiredError extends Error {}

export function createAuthenticator(auth: UiAuth): Authenticator {
  if (auth.mode === 'proxy') {
    return {
      mode: 'proxy',
      viewer(req) {
        const header = (name: string) => {
          const value = req.headers[name];
          return (Array.isArray(value) ? value.join(',') : value)?.trim() || undefined;
        };
        const user = header(auth.userHeader);
        if (!user) return null;
        const groups = auth.groupsHeader ? (header(auth.groupsHeader)?.split(',') ?? []) : [];
        return {
          subject: user,
          ...(user.includes('@') ? { email: user } : {}),
          groups: groups.map((group) => group.trim()).filter(Boolean),
        };
      },
    };
  }
  const cookies = new SignedCookies(auth.sessionSecret, auth.secureCookies);
  const oidc = new OidcSignIn(auth.oidc);
  return {
    mode: 'oidc',
    viewer: (req, now) => cookies.read(req, SESSION_COOKIE, ViewerSchema, now),
    async beginSignIn(res, returnTo, now) {
      const { url, pending } = await oidc.begin(returnTo);
      res.setHeader('set-cookie', cookies.set(SIGN_IN_COOKIE, pending, SIGN_IN_SECONDS, now));
      return url;
    },
    async completeSignIn(req, query, now) {
      const pending = cookies.read(req, SIGN_IN_COOKIE, PendingSignInSchema, now);
      if (!pending) throw new SignInExpiredError('the sign-in expired or was started in another browser');
      // The redirect URI as registered (behind an Ingress the request's own host and scheme may differ).
      const callbackUrl = new URL(auth.oidc.redirectUri);
      callbackUrl.search = query;
      return { viewer: await oidc.complete(callbackUrl, pending), pending };
    },
    startSession: (viewer, now) => [
      cookies.set(SESSION_COOKIE, ViewerSchema.parse(viewer), auth.sessionHours * 3600, now),
      cookies.clear(SIGN_IN_COOKIE),
    ],
    endSession: () => [cookies.clear(SESSION_COOKIE), cookies.clear(SIGN_IN_COOKIE)],
  };
}
