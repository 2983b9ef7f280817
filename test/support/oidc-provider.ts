import { once } from 'node:events';
import { createServer, type RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider from 'oidc-provider';

/** A person the stand-in knows: signing in as `login` (any password) gives these claims. */
export interface TestAccount {
  login: string;
  name: string;
  groups: string[];
}

export interface TestOidcProvider {
  issuer: string;
  clientId: string;
  clientSecret: string;
  close(): Promise<void>;
}

/**
 * The company SSO in the tests: oidc-provider (the certified OpenID Provider library) on 127.0.0.1, with its
 * development login and consent pages (any password). One client, code flow with PKCE; `email` and `groups` are
 * given at userinfo (as many real providers do), `sub` in the ID token.
 */
export async function startOidcProvider(redirectUri: string, accounts: TestAccount[]): Promise<TestOidcProvider> {
  // The issuer URL names the port, so the server listens before the provider exists.
  let handle: RequestListener | undefined;
  const server = createServer((req, res) => (handle ? handle(req, res) : res.writeHead(503).end()));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const clientId = 'incident-bot-ui';
  const clientSecret = 'test-oidc-client-secret-0123456789';
  const byLogin = new Map(accounts.map((account) => [account.login, account]));
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: clientId,
        client_secret: clientSecret,
        redirect_uris: [redirectUri],
        grant_types: ['authorization_code'],
        response_types: ['code'],
      },
    ],
    claims: { openid: ['sub'], email: ['email'], profile: ['name', 'groups'] },
    async findAccount(_ctx, id) {
      const account = byLogin.get(id);
      return {
        accountId: id,
        claims: async () => ({
          sub: id,
          ...(account ? { email: account.login, name: account.name, groups: account.groups } : {}),
        }),
      };
    },
    cookies: { keys: ['test-oidc-provider-cookie-key'] },
    pkce: { required: () => true },
    features: { devInteractions: { enabled: true } },
  });
  handle = provider.callback();
  return {
    issuer,
    clientId,
    clientSecret,
    async close() {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}
