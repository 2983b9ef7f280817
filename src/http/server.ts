import { once } from 'node:events';
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { App, HTTPReceiver, LogLevel, type Receiver, SocketModeReceiver } from '@slack/bolt';
import type { Config } from '../config/env.ts';
import { handleAlertmanagerWebhook } from '../intake/alertmanager.ts';
import type { IntakeDeps } from '../intake/open-investigation.ts';
import { handlePagerDutyWebhook } from '../intake/pagerduty.ts';
import { registerIntakeListeners } from '../intake/slack-listeners.ts';
import { announceResolution } from '../slack/resolution.ts';
import { BodyTooLargeError, readRawBody } from './raw-body.ts';

// go-pagerduty's webhookv3 cap; PagerDuty itself drops anything over 256 KB.
const MAX_WEBHOOK_BYTES = 2 * 1024 * 1024;
const READY_TIMEOUT_MS = 2_000;
/** Where Slack POSTs commands, interactivity and events in HTTP mode (the app manifest's request URLs). */
export const SLACK_EVENTS_PATH = '/slack/events';

export type ServerConfig = Pick<
  Config,
  | 'SLACK_BOT_TOKEN'
  | 'SLACK_SIGNING_SECRET'
  | 'SLACK_APP_TOKEN'
  | 'SLACK_API_URL'
  | 'SLACK_BOT_ID'
  | 'SLACK_BOT_USER_ID'
  | 'PAGERDUTY_WEBHOOK_SECRETS'
  | 'ALERTMANAGER_TOKEN'
>;

export interface ServerOptions {
  /** true: answer Slack only after listeners finish (tests, FaaS); false: answer at ack() (default). */
  processBeforeResponse?: boolean;
  logLevel?: LogLevel;
  /** More Bolt listeners (e.g. remediation's Approve/Reject), registered after intake's. */
  register?: ((app: App) => void)[];
}

export interface WebServer {
  app: App;
  /** `socket`: Slack is reached over Socket Mode's WebSocket; `http`: Slack POSTs to /slack/events. */
  slackMode: 'http' | 'socket';
  /** Listens on `port` (0 = any free port); resolves to the port bound. */
  start(port: number): Promise<number>;
  stop(): Promise<void>;
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return Promise.race([
    promise,
    new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error(`${what} did not answer in ${ms} ms`)), ms).unref(),
    ),
  ]);
}

async function probe(check: () => Promise<unknown>, what: string): Promise<string> {
  try {
    await withTimeout(check(), READY_TIMEOUT_MS, what);
    return 'ok';
  } catch (error) {
    return (error as Error).message;
  }
}

/**
 * The web role: one HTTP server for the webhooks and the health probes, and Slack through Bolt in one of two
 * modes. HTTP mode: Bolt's HTTPReceiver takes POST /slack/events (commands, interactivity, events, all
 * signature-checked). Socket Mode (SLACK_APP_TOKEN): Bolt's SocketModeReceiver receives the same payloads
 * over a WebSocket it opens to Slack, so nothing from Slack calls in. The same listeners serve both.
 */
export function createServer(config: ServerConfig, deps: IntakeDeps, options: ServerOptions = {}): WebServer {
  let app: App;
  const announceResolved = (incidentId: string) => {
    void announceResolution({ ...deps, slack: app.client }, incidentId).catch((error: Error) =>
      app.logger.error(`could not announce resolution of ${incidentId}: ${error.message}`),
    );
  };

  const webhook =
    (handle: (raw: Buffer, req: IncomingMessage) => Promise<{ status: number; body: unknown }>) =>
    (req: IncomingMessage, res: ServerResponse) => {
      readRawBody(req, MAX_WEBHOOK_BYTES)
        .then((raw) => handle(raw, req))
        .then(
          (result) => sendJson(res, result.status, result.body),
          (error: Error) => {
            if (error instanceof BodyTooLargeError) return sendJson(res, 413, { error: error.message });
            app.logger.error(`webhook ${req.url} failed: ${error.stack ?? error.message}`);
            // 5xx: the sender retries, and intake is idempotent.
            sendJson(res, 500, { error: 'internal error' });
          },
        );
    };

  // Our routes: the webhooks and the health probes. They are served in both Slack modes (Alertmanager and
  // the kubelet still call in from inside the cluster when Slack arrives over Socket Mode).
  const pagerDutySecrets = config.PAGERDUTY_WEBHOOK_SECRETS;
  const routes: Record<string, (req: IncomingMessage, res: ServerResponse) => void> = {
    // Without PagerDuty secrets there is no PagerDuty door (an in-cluster install takes Alertmanager only).
    ...(pagerDutySecrets && {
      'POST /webhooks/pagerduty': webhook(async (raw, req) => {
        const result = await handlePagerDutyWebhook(
          { ...deps, secrets: pagerDutySecrets, announceResolved },
          raw,
          req.headers['x-pagerduty-signature'] as string | undefined,
        );
        if (result.body.ignored) app.logger.info(`PagerDuty event ${String(result.body.ignored)} ignored`);
        return result;
      }),
    }),
    'POST /webhooks/alertmanager': webhook((raw, req) =>
      handleAlertmanagerWebhook(
        { ...deps, ...(config.ALERTMANAGER_TOKEN ? { token: config.ALERTMANAGER_TOKEN } : {}), announceResolved },
        raw,
        req.headers.authorization,
      ),
    ),
    'GET /healthz': (_req, res) => sendJson(res, 200, { status: 'ok' }),
    'GET /readyz': (_req, res) => {
      void Promise.all([
        probe(() => deps.db.$queryRaw`SELECT 1`, 'postgres'),
        probe(() => deps.queue.ping(), 'redis'),
      ]).then(([postgres, redis]) =>
        sendJson(res, postgres === 'ok' && redis === 'ok' ? 200 : 503, { postgres, redis }),
      );
    },
  };

  // SLACK_APP_TOKEN set → Socket Mode: Bolt connects out to Slack and no Slack request ever arrives over HTTP.
  const slackHttp = config.SLACK_APP_TOKEN
    ? undefined
    : new HTTPReceiver({
        signingSecret: config.SLACK_SIGNING_SECRET ?? '',
        endpoints: SLACK_EVENTS_PATH,
        processBeforeResponse: options.processBeforeResponse ?? false,
      });
  const receiver: Receiver =
    slackHttp ??
    new SocketModeReceiver({
      appToken: config.SLACK_APP_TOKEN ?? '',
      logLevel: options.logLevel ?? LogLevel.INFO,
      // apps.connections.open goes to the same Web API as every other call (a proxy, or the tests' stand-in).
      installerOptions: { clientOptions: config.SLACK_API_URL ? { slackApiUrl: config.SLACK_API_URL } : {} },
    });

  const auditRefusedSlackRequest = (res: ServerResponse) =>
    res.once('finish', () => {
      // Bolt answers a badly signed Slack request with 401 itself; the refusal still belongs in the audit trail.
      if (res.statusCode !== 401) return;
      void deps.audit
        .record({
          actor: 'slack',
          action: 'webhook.refused',
          target: 'slack',
          justification: 'missing or invalid Slack signature, or a stale timestamp',
        })
        .catch((error: Error) => app.logger.error(`could not audit a refused Slack request: ${error.message}`));
    });

  const http = createHttpServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    const route = routes[`${req.method} ${path}`];
    if (route) return route(req, res);
    if (slackHttp && req.method === 'POST' && path === SLACK_EVENTS_PATH) {
      auditRefusedSlackRequest(res);
      return slackHttp.requestListener(req, res);
    }
    sendJson(res, 404, { error: `no route for ${req.method} ${path}` });
  });

  app = new App({
    token: config.SLACK_BOT_TOKEN,
    receiver,
    logLevel: options.logLevel ?? LogLevel.INFO,
    ...(config.SLACK_BOT_ID && config.SLACK_BOT_USER_ID
      ? { botId: config.SLACK_BOT_ID, botUserId: config.SLACK_BOT_USER_ID }
      : {}),
    clientOptions: {
      ...(config.SLACK_API_URL ? { slackApiUrl: config.SLACK_API_URL } : {}),
    },
  });
  registerIntakeListeners(app, deps);
  for (const register of options.register ?? []) register(app);

  return {
    app,
    slackMode: slackHttp ? 'http' : 'socket',
    async start(port) {
      http.listen(port);
      await once(http, 'listening');
      // Socket Mode: resolves once Slack's hello arrives on the WebSocket (after apps.connections.open).
      if (!slackHttp) await app.start();
      return (http.address() as AddressInfo).port;
    },
    async stop() {
      if (!slackHttp) await app.stop();
      const closed = once(http, 'close');
      http.close();
      http.closeIdleConnections();
      await closed;
    },
  };
}
