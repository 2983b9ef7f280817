import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { App, HTTPReceiver, LogLevel } from '@slack/bolt';
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

export type ServerConfig = Pick<
  Config,
  | 'SLACK_BOT_TOKEN'
  | 'SLACK_SIGNING_SECRET'
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
 * The one HTTP server: Bolt's receiver handles POST /slack/events (commands, interactivity, events,
 * all signature-checked); custom routes take the webhooks and the health probes.
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

  const receiver = new HTTPReceiver({
    signingSecret: config.SLACK_SIGNING_SECRET,
    processBeforeResponse: options.processBeforeResponse ?? false,
    customRoutes: [
      {
        path: '/webhooks/pagerduty',
        method: 'POST',
        handler: webhook(async (raw, req) => {
          const result = await handlePagerDutyWebhook(
            { ...deps, secrets: config.PAGERDUTY_WEBHOOK_SECRETS, announceResolved },
            raw,
            req.headers['x-pagerduty-signature'] as string | undefined,
          );
          if (result.body.ignored) app.logger.info(`PagerDuty event ${String(result.body.ignored)} ignored`);
          return result;
        }),
      },
      {
        path: '/webhooks/alertmanager',
        method: 'POST',
        handler: webhook((raw, req) =>
          handleAlertmanagerWebhook(
            { ...deps, ...(config.ALERTMANAGER_TOKEN ? { token: config.ALERTMANAGER_TOKEN } : {}), announceResolved },
            raw,
            req.headers.authorization,
          ),
        ),
      },
      { path: '/healthz', method: 'GET', handler: (_req, res) => sendJson(res, 200, { status: 'ok' }) },
      {
        path: '/readyz',
        method: 'GET',
        handler: (_req, res) => {
          void Promise.all([
            probe(() => deps.db.$queryRaw`SELECT 1`, 'postgres'),
            probe(() => deps.queue.ping(), 'redis'),
          ]).then(([postgres, redis]) =>
            sendJson(res, postgres === 'ok' && redis === 'ok' ? 200 : 503, { postgres, redis }),
          );
        },
      },
    ],
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
    async start(port) {
      const server = (await app.start(port)) as Server;
      // Bolt answers a badly signed Slack request with 401 itself; the refusal still belongs in the audit trail.
      server.prependListener('request', (req: IncomingMessage, res: ServerResponse) => {
        if (req.method !== 'POST' || !req.url?.startsWith('/slack/events')) return;
        res.once('finish', () => {
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
      });
      return (server.address() as AddressInfo).port;
    },
    stop: () => app.stop() as Promise<void>,
  };
}
