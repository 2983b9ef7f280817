import { once } from 'node:events';
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { App, HTTPReceiver, type Logger, LogLevel, type Receiver, SocketModeReceiver } from '@slack/bolt';
import type { Config } from '../config/env.ts';
import { handleAlertmanagerWebhook } from '../intake/alertmanager.ts';
import { type IntakeDeps, UnknownClusterError } from '../intake/open-investigation.ts';
import { handlePagerDutyWebhook } from '../intake/pagerduty.ts';
import { registerIntakeListeners } from '../intake/slack-listeners.ts';
import { watchSlackSocket } from '../observability/metrics.ts';
import { RefusalCounter } from '../intake/refusals.ts';
import { slackClientOptions } from '../slack/client.ts';
import { ACKNOWLEDGE_ACTION_ID, RESOLVE_ACTION_ID } from '../pagerduty/thread-message.ts';
import { APPROVE_ACTION_ID, REJECT_ACTION_ID, REJECT_VIEW_ID } from '../slack/plan-message.ts';
import { TIMELINE_ACTION_ID } from '../slack/timeline-message.ts';
import { RelatedAlertsBoard } from '../slack/related-alerts.ts';
import { VisibleState } from '../slack/visible-state.ts';
import { poolOf } from '../store/db.ts';
import { BodyTooLargeError, readRawBody } from './raw-body.ts';
import { readiness } from './readiness.ts';
import { unavailableDependency, within } from './unavailable.ts';

// go-pagerduty's webhookv3 cap; PagerDuty itself drops anything over 256 KB.
const MAX_WEBHOOK_BYTES = 2 * 1024 * 1024;
/** Where Slack POSTs commands, interactivity and events in HTTP mode (the app manifest's request URLs). */
export const SLACK_EVENTS_PATH = '/slack/events';
/** A webhook not stored and queued by then is answered 503: PagerDuty gives up on a delivery after 5 s. */
const INTAKE_DEADLINE_MS = 3_000;
/** What a 503 asks the sender to wait before retrying. */
const RETRY_AFTER_SECONDS = 30;
/** Every button and modal the bot's messages carry; any other interaction is acknowledged and counted at once. */
const HANDLED_ACTIONS = new Set([
  APPROVE_ACTION_ID,
  REJECT_ACTION_ID,
  TIMELINE_ACTION_ID,
  ACKNOWLEDGE_ACTION_ID,
  RESOLVE_ACTION_ID,
]);
const HANDLED_VIEWS = new Set([REJECT_VIEW_ID]);

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
  /** Where Bolt logs (default: its console logger). */
  logger?: Logger;
  /** More Bolt listeners (e.g. remediation's Approve/Reject), registered after intake's. */
  register?: ((app: App) => void)[];
  /** How often counted refusals are written to the audit trail (one row per source and reason). */
  refusalFlushMs?: number;
  /** Time a webhook has to be stored and queued before it is answered 503 + Retry-After. */
  intakeDeadlineMs?: number;
  /** The auditor's read-only pages (src/ui/routes.ts): every path under /ui, when a sign-in is configured. */
  ui?: (req: IncomingMessage, res: ServerResponse) => void;
}

export interface WebServer {
  app: App;
  /** `socket`: Slack is reached over Socket Mode's WebSocket; `http`: Slack POSTs to /slack/events. */
  slackMode: 'http' | 'socket';
  /** Listens on `port` (0 = any free port); resolves to the port bound. */
  start(port: number): Promise<number>;
  /** Writes the refusals counted so far to the audit trail now (they are otherwise written periodically). */
  flushRefusals(): Promise<void>;
  stop(): Promise<void>;
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

type Route = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * The web role: one HTTP server for the webhooks and the health probes, and Slack through Bolt in one of two
 * modes. HTTP mode: Bolt's HTTPReceiver takes POST /slack/events (commands, interactivity, events, all
 * signature-checked). Socket Mode (SLACK_APP_TOKEN): Bolt's SocketModeReceiver receives the same payloads
 * over a WebSocket it opens to Slack, so nothing from Slack calls in. The same listeners serve both.
 */
export function createServer(config: ServerConfig, intake: IntakeDeps, options: ServerOptions = {}): WebServer {
  const { receiver, slackHttp } = slackReceiver(config, options);
  const app = slackApp(config, options, receiver);
  // A storm's related alerts: one message per incident, edited at most once a second whatever the burst.
  let board: RelatedAlertsBoard | undefined;
  const deps: IntakeDeps = {
    ...intake,
    showRelatedAlerts: (incidentId) => {
      board ??= new RelatedAlertsBoard({ ...intake, slack: app.client }, (error) =>
        app.logger.error(`could not show the related alerts of ${incidentId}: ${error.message}`),
      );
      board.show(incidentId);
    },
    rounds: { investigateAgain: (...args) => visible.investigateAgain(...args) },
  };
  // Resolutions and reopens change what people see: through the one place that does.
  const visible = new VisibleState({ ...deps, slack: app.client });
  const refusals = new RefusalCounter(deps.audit, options.refusalFlushMs, (error) =>
    app.logger.error(`could not write refusal counts to the audit trail: ${error.message}`),
  );
  answerUnknownInteractions(app, refusals);
  registerIntakeListeners(app, deps);
  for (const register of options.register ?? []) register(app);

  const deadlineMs = options.intakeDeadlineMs ?? INTAKE_DEADLINE_MS;
  const routes = webRoutes(config, deps, visible, { refusals, logger: app.logger, deadlineMs });
  const http = createHttpServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    const route = routes[`${req.method} ${path}`];
    if (route) return route(req, res);
    if (options.ui && (path === '/ui' || path.startsWith('/ui/'))) return options.ui(req, res);
    if (slackHttp && req.method === 'POST' && path === SLACK_EVENTS_PATH) {
      countRefusedSlackRequest(res, refusals);
      return slackHttp.requestListener(req, res);
    }
    sendJson(res, 404, { error: `no route for ${req.method} ${path}` });
  });

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
    flushRefusals: () => refusals.flush(),
    async stop() {
      if (!slackHttp) await app.stop();
      const closed = once(http, 'close');
      http.close();
      http.closeIdleConnections();
      await closed;
      await board?.flush();
      await refusals.stop();
    },
  };
}

/** SLACK_APP_TOKEN set → Socket Mode: Bolt connects out to Slack and no Slack request ever arrives over HTTP. */
function slackReceiver(
  config: ServerConfig,
  options: ServerOptions,
): { receiver: Receiver; slackHttp: HTTPReceiver | undefined } {
  if (!config.SLACK_APP_TOKEN) {
    const slackHttp = new HTTPReceiver({
      signingSecret: config.SLACK_SIGNING_SECRET ?? '',
      endpoints: SLACK_EVENTS_PATH,
      processBeforeResponse: options.processBeforeResponse ?? false,
      ...(options.logger ? { logger: options.logger } : {}),
    });
    return { receiver: slackHttp, slackHttp };
  }
  const socketMode = new SocketModeReceiver({
    appToken: config.SLACK_APP_TOKEN,
    logLevel: options.logLevel ?? LogLevel.INFO,
    ...(options.logger ? { logger: options.logger } : {}),
    // apps.connections.open goes to the same Web API as every other call (a proxy, or the tests' stand-in).
    installerOptions: {
      clientOptions: slackClientOptions(config.SLACK_API_URL ? { slackApiUrl: config.SLACK_API_URL } : {}),
    },
  });
  watchSlackSocket(socketMode.client);
  return { receiver: socketMode, slackHttp: undefined };
}

function slackApp(config: ServerConfig, options: ServerOptions, receiver: Receiver): App {
  return new App({
    token: config.SLACK_BOT_TOKEN,
    receiver,
    logLevel: options.logLevel ?? LogLevel.INFO,
    ...(options.logger ? { logger: options.logger } : {}),
    ...(config.SLACK_BOT_ID && config.SLACK_BOT_USER_ID
      ? { botId: config.SLACK_BOT_ID, botUserId: config.SLACK_BOT_USER_ID }
      : {}),
    // Every message, update, ephemeral and respond() passes the redaction policy on its way out.
    clientOptions: slackClientOptions(config.SLACK_API_URL ? { slackApiUrl: config.SLACK_API_URL } : {}),
  });
}

/**
 * A click on a button the bot does not know (an old message, a forged payload) gets its answer now, not after
 * Bolt's 3 s wait for a listener that does not exist.
 */
function answerUnknownInteractions(app: App, refusals: RefusalCounter): void {
  app.use(async ({ body, ack, next }) => {
    const payload = body as { type?: string; actions?: { action_id?: string }[]; view?: { callback_id?: string } };
    const unknown =
      (payload.type === 'block_actions' &&
        !(payload.actions ?? []).some((action) => HANDLED_ACTIONS.has(action.action_id ?? ''))) ||
      (payload.type === 'view_submission' && !HANDLED_VIEWS.has(payload.view?.callback_id ?? ''));
    if (!unknown) return next();
    refusals.count('slack', 'unknown-action');
    await ack?.();
  });
}

const countRefusedSlackRequest = (res: ServerResponse, refusals: RefusalCounter) =>
  res.once('finish', () => {
    // Bolt answers a badly signed Slack request with 401 itself; the refusal is still counted.
    if (res.statusCode === 401) refusals.count('slack', 'bad-signature');
  });

interface WebhookContext {
  refusals: RefusalCounter;
  logger: Logger;
  deadlineMs: number;
}

/**
 * Our routes: the webhooks and the health probes. They are served in both Slack modes (Alertmanager and
 * the kubelet still call in from inside the cluster when Slack arrives over Socket Mode).
 */
function webRoutes(
  config: ServerConfig,
  deps: IntakeDeps,
  visible: VisibleState,
  context: WebhookContext,
): Record<string, Route> {
  const { refusals, logger } = context;
  const pagerDutySecrets = config.PAGERDUTY_WEBHOOK_SECRETS;
  return {
    // Without PagerDuty secrets there is no PagerDuty door (an in-cluster install takes Alertmanager only).
    ...(pagerDutySecrets && {
      'POST /webhooks/pagerduty': webhook(context, async (raw, req) => {
        const result = await handlePagerDutyWebhook(
          { ...deps, secrets: pagerDutySecrets, refusals, visible },
          raw,
          req.headers['x-pagerduty-signature'] as string | undefined,
        );
        if (result.body.ignored) logger.info(`PagerDuty event ${String(result.body.ignored)} ignored`);
        return result;
      }),
    }),
    'POST /webhooks/alertmanager': webhook(context, (raw, req) =>
      handleAlertmanagerWebhook(
        {
          ...deps,
          ...(config.ALERTMANAGER_TOKEN ? { token: config.ALERTMANAGER_TOKEN } : {}),
          refusals,
          visible,
        },
        raw,
        req.headers.authorization,
      ),
    ),
    'GET /healthz': (_req, res) => sendJson(res, 200, { status: 'ok' }),
    'GET /readyz': (_req, res) => {
      // Through the pool the webhooks use: a first Prisma query here would wake Prisma's engine, whose start-up
      // (~150-200 ms of CPU, landing on the first requests after it) the intake never needs.
      void readiness({ postgres: () => poolOf(deps.db).query('SELECT 1'), redis: () => deps.queue.ping() }).then(
        (ready) => sendJson(res, ready.status, ready.body),
      );
    },
  };
}

/** A webhook route: the body read (capped), handled within the deadline, and every failure answered as it should be. */
function webhook(
  context: WebhookContext,
  handle: (raw: Buffer, req: IncomingMessage) => Promise<{ status: number; body: unknown }>,
): Route {
  return (req, res) => {
    readRawBody(req, MAX_WEBHOOK_BYTES)
      .then((raw) => within(handle(raw, req), context.deadlineMs, 'postgres or redis'))
      .then(
        (result) => sendJson(res, result.status, result.body),
        (error: Error) => answerFailedWebhook(req, res, error, context),
      );
  };
}

function answerFailedWebhook(
  req: IncomingMessage,
  res: ServerResponse,
  error: Error,
  { refusals, logger }: WebhookContext,
) {
  if (error instanceof BodyTooLargeError) return sendJson(res, 413, { error: error.message });
  // Not a cluster this bot serves: refused (Alertmanager does not retry a 4xx), counted, never guessed.
  if (error instanceof UnknownClusterError) {
    refusals.count(req.url?.includes('pagerduty') ? 'pagerduty' : 'alertmanager', 'unknown-cluster');
    logger.warn(`webhook ${req.url} refused: ${error.message}`);
    return sendJson(res, 422, { error: error.message });
  }
  const down = unavailableDependency(error);
  if (down) {
    logger.warn(`webhook ${req.url} deferred: ${down} unavailable (${error.message})`);
    return sendJson(
      res,
      503,
      { error: `${down} unavailable, retry later` },
      { 'retry-after': String(RETRY_AFTER_SECONDS) },
    );
  }
  logger.error(`webhook ${req.url} failed: ${error.stack ?? error.message}`);
  // 5xx: the sender retries, and intake is idempotent.
  sendJson(res, 500, { error: 'internal error' });
}
