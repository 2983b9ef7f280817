import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FakeSocketMode } from './fake-socket-mode.ts';

/** One Web API call as the fake received it: form fields, with JSON-valued fields (blocks, view…) parsed. */
export interface SlackCall {
  method: string;
  args: Record<string, unknown>;
  token: string | undefined;
  /** What the fake answered (`ts`, `channel`…), once it has. */
  response?: Record<string, unknown>;
}

type Failure =
  | { kind: 'error'; error: string }
  | { kind: 'rate-limit'; retryAfter: number }
  | { kind: 'http'; status: number };

const JSON_FIELDS = new Set(['blocks', 'attachments', 'view', 'metadata', 'users']);

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function parseArgs(contentType: string | undefined, raw: string): Record<string, unknown> {
  if (contentType?.startsWith('application/json')) return raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
  const args: Record<string, unknown> = {};
  for (const [key, value] of new URLSearchParams(raw)) {
    args[key] = JSON_FIELDS.has(key) && /^[[{]/.test(value) ? JSON.parse(value) : value;
  }
  return args;
}

/**
 * A stand-in for the Slack Web API (https://slack.com/api/<method>) and for `response_url`s: records
 * every call and answers like Slack does. Point Bolt at it with `clientOptions.slackApiUrl = fake.apiUrl`.
 */
export class FakeSlack {
  readonly calls: SlackCall[] = [];
  /** Bodies POSTed to response URLs handed out by responseUrl(). */
  readonly responses: { id: string; body: Record<string, unknown> }[] = [];
  /** Members returned by usergroups.users.list, by usergroup id. */
  readonly usergroups = new Map<string, string[]>();
  private readonly failures = new Map<string, Failure[]>();
  private readonly server: Server;
  /** Slack's Socket Mode on the same port: `apps.connections.open` hands out its WebSocket URLs. */
  readonly socketMode: FakeSocketMode;
  private tsCounter = 0;
  private readonly tsBase = Math.floor(Date.now() / 1000);

  private constructor() {
    this.server = createServer((req, res) => {
      void this.handle(req).then(({ status, headers, body }) => {
        res.writeHead(status, { 'content-type': 'application/json', ...headers });
        res.end(JSON.stringify(body));
      });
    });
    this.socketMode = new FakeSocketMode(this.server, () => this.baseUrl);
  }

  static async start(): Promise<FakeSlack> {
    const fake = new FakeSlack();
    fake.server.listen(0, '127.0.0.1');
    await once(fake.server, 'listening');
    return fake;
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** The value for Bolt's `clientOptions.slackApiUrl` / SLACK_API_URL. */
  get apiUrl(): string {
    return `${this.baseUrl}/api/`;
  }

  responseUrl(id = 'r1'): string {
    return `${this.baseUrl}/response/${id}`;
  }

  /** The next call to `method` answers `{ok:false, error}`. */
  failNext(method: string, error = 'internal_error'): void {
    this.enqueueFailure(method, { kind: 'error', error });
  }

  /** The next call to `method` gets HTTP 429 with Retry-After. */
  rateLimitNext(method: string, retryAfter = 1): void {
    this.enqueueFailure(method, { kind: 'rate-limit', retryAfter });
  }

  /** The next call to `method` gets a bare HTTP error status (e.g. 500). */
  httpErrorNext(method: string, status = 500): void {
    this.enqueueFailure(method, { kind: 'http', status });
  }

  callsTo(method: string): SlackCall[] {
    return this.calls.filter((call) => call.method === method);
  }

  /** Messages posted at top level (no thread_ts). */
  rootMessages(): SlackCall[] {
    return this.callsTo('chat.postMessage').filter((call) => call.args.thread_ts === undefined);
  }

  /** Replies posted in the thread of `threadTs`. */
  replies(threadTs: string): SlackCall[] {
    return this.callsTo('chat.postMessage').filter((call) => call.args.thread_ts === threadTs);
  }

  /** Resolves once `predicate` holds, polling; rejects after `timeoutMs` with what was recorded. */
  async waitFor(predicate: (fake: FakeSlack) => boolean, timeoutMs = 15_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate(this)) {
      if (Date.now() > deadline) {
        throw new Error(
          `fake Slack: condition not met in ${timeoutMs} ms; calls: ${this.calls.map((c) => c.method).join(', ')}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  async close(): Promise<void> {
    this.socketMode.close();
    this.server.closeAllConnections();
    this.server.close();
    await once(this.server, 'close');
  }

  private enqueueFailure(method: string, failure: Failure): void {
    this.failures.set(method, [...(this.failures.get(method) ?? []), failure]);
  }

  private nextTs(): string {
    this.tsCounter += 1;
    return `${this.tsBase}.${String(this.tsCounter).padStart(6, '0')}`;
  }

  private async handle(
    req: IncomingMessage,
  ): Promise<{ status: number; headers?: Record<string, string>; body: unknown }> {
    const raw = await readBody(req);
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const args = parseArgs(req.headers['content-type'], raw);
    if (path.startsWith('/response/')) {
      this.responses.push({ id: path.slice('/response/'.length), body: args });
      return { status: 200, body: { ok: true } };
    }
    const method = path.replace(/^\/api\//, '');
    const authorization = req.headers.authorization;
    const token = authorization?.replace(/^Bearer /, '') ?? (args.token as string | undefined);
    const call: SlackCall = { method, args, token };
    this.calls.push(call);
    const failure = this.failures.get(method)?.shift();
    if (failure?.kind === 'rate-limit') {
      return {
        status: 429,
        headers: { 'retry-after': String(failure.retryAfter) },
        body: { ok: false, error: 'ratelimited' },
      };
    }
    if (failure?.kind === 'http') return { status: failure.status, body: { ok: false, error: 'http_error' } };
    if (failure?.kind === 'error') return { status: 200, body: { ok: false, error: failure.error } };
    call.response = this.answer(method, args, token);
    return { status: 200, body: call.response };
  }

  private answer(method: string, args: Record<string, unknown>, token: string | undefined): Record<string, unknown> {
    switch (method) {
      case 'apps.connections.open':
        return this.socketMode.open(token);
      case 'auth.test':
        return {
          ok: true,
          url: 'https://fake.slack.com/',
          team: 'T',
          user: 'bot',
          team_id: 'T0FAKE',
          user_id: 'UBOT',
          bot_id: 'BBOT',
        };
      case 'chat.postMessage': {
        const ts = this.nextTs();
        return {
          ok: true,
          channel: args.channel,
          ts,
          message: { type: 'message', text: args.text, bot_id: 'BBOT', ts },
        };
      }
      case 'chat.update':
        if (!args.channel || !args.ts) return { ok: false, error: 'message_not_found' };
        return { ok: true, channel: args.channel, ts: args.ts, text: args.text, message: { text: args.text } };
      case 'chat.postEphemeral':
        return { ok: true, message_ts: this.nextTs() };
      case 'views.open':
        return { ok: true, view: { id: `V${this.tsCounter}`, type: 'modal', ...(args.view as object) } };
      case 'users.info':
        return {
          ok: true,
          user: { id: args.user, name: String(args.user).toLowerCase(), deleted: false, is_bot: false },
        };
      case 'usergroups.users.list': {
        const users = this.usergroups.get(String(args.usergroup));
        return users ? { ok: true, users } : { ok: false, error: 'no_such_subteam' };
      }
      default:
        return { ok: true };
    }
  }
}
