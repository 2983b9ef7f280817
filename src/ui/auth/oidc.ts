import * as client from 'openid-client';
import { z } from 'zod';
import type { Viewer } from './viewer.ts';

export interface OidcSettings {
  issuer: URL;
  clientId: string;
  clientSecret: string;
  /** `<UI_BASE_URL>/ui/auth/callback`, registered at the issuer. */
  redirectUri: string;
  groupsClaim: string;
}

/** What the sign-in started, kept in a signed cookie until the identity provider sends the browser back. */
export const PendingSignInSchema = z.object({
  state: z.string(),
  nonce: z.string(),
  verifier: z.string(),
  /** The /ui page to return to. */
  returnTo: z.string(),
});
export type PendingSignIn = z.infer<typeof PendingSignInSchema>;

const isLoopback = (url: URL) => ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);

const stringList = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];

/**
 * OpenID Connect sign-in (authorization code flow with PKCE, state and nonce) through openid-client. The issuer's
 * metadata is discovered on first use and kept; a discovery that fails (the IdP down at start-up) is tried again at
 * the next sign-in instead of keeping the web role from starting.
 */
export class OidcSignIn {
  private configuration: Promise<client.Configuration> | undefined;

  constructor(private readonly settings: OidcSettings) {}

  private config(): Promise<client.Configuration> {
    const { issuer, clientId, clientSecret } = this.settings;
    this.configuration ??= client
      .discovery(issuer, clientId, clientSecret, undefined, {
        // Plain http only to an issuer on this machine (a development IdP, the tests' provider).
        ...(issuer.protocol === 'http:' && isLoopback(issuer) ? { execute: [client.allowInsecureRequests] } : {}),
      })
      .catch((error: Error) => {
        this.configuration = undefined;
        throw new Error(`OIDC discovery at ${issuer.href} failed: ${error.message}`);
      });
    return this.configuration;
  }

  /** Where to send the browser, and what to remember until it comes back. */
  async begin(returnTo: string): Promise<{ url: URL; pending: PendingSignIn }> {
    const config = await this.config();
    const pending = {
      state: client.randomState(),
      nonce: client.randomNonce(),
      verifier: client.randomPKCECodeVerifier(),
      returnTo,
    };
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: this.settings.redirectUri,
      scope: 'openid email profile',
      code_challenge: await client.calculatePKCECodeChallenge(pending.verifier),
      code_challenge_method: 'S256',
      state: pending.state,
      nonce: pending.nonce,
    });
    return { url, pending };
  }

  /** Checks the identity provider's answer (state, PKCE, the ID token's signature, issuer, audience, nonce). */
  async complete(callbackUrl: URL, pending: PendingSignIn): Promise<Viewer> {
    const config = await this.config();
    const tokens = await client.authorizationCodeGrant(config, callbackUrl, {
      expectedState: pending.state,
      expectedNonce: pending.nonce,
      pkceCodeVerifier: pending.verifier,
      idTokenExpected: true,
    });
    const claims = tokens.claims();
    if (!claims) throw new Error('the identity provider sent no ID token');
    let profile: Record<string, unknown> = claims;
    // Many providers leave groups (and sometimes email) out of the ID token and give them at userinfo.
    if (!(this.settings.groupsClaim in claims) && config.serverMetadata().userinfo_endpoint) {
      profile = { ...(await client.fetchUserInfo(config, tokens.access_token, claims.sub)), ...claims };
    }
    return {
      subject: claims.sub,
      ...(typeof profile.email === 'string' ? { email: profile.email } : {}),
      ...(typeof profile.name === 'string' ? { name: profile.name } : {}),
      groups: stringList(profile[this.settings.groupsClaim]),
    };
  }
}
