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
  | { kind: 'http'; status: number }
  // Slack did the work (stored the message) and then the answer was lost: a 5xx, or no answer at all.
  | { kind: 'stored-then-http'; status: number }
  | { kind: 'stored-then-hang' };

type ArgsMatch = (args: Record<string, unknown>) => boolean;

/** A message as Slack keeps it in a channel's history. */
export interface StoredMessage {
  type: 'message';
  ts: string;
  thread_ts?: string;
  text?: string;
  blocks?: unknown;
  bot_id: string;
  user: string;
  metadata?: { event_type: string; event_payload: Record<string, unknown> };
}

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
  /** Every message posted, per channel, in posting order (what conversations.history/replies read). */
  readonly messages = new Map<string, StoredMessage[]>();
  private readonly failures = new Map<string, (Failure & { match?: ArgsMatch })[]>();
  private readonly held: (() => void)[] = [];
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

  /**
   * The next call to `method` (whose arguments pass `match`, if given) is carried out — a message is stored — but
   * answered with HTTP `status`, as when Slack's edge fails after the work was done.
   */
  storeThenFailNext(method: string, status = 500, match?: ArgsMatch): void {
    this.enqueueFailure(method, { kind: 'stored-then-http', status }, match);
  }

  /** Like storeThenFailNext, but the answer is held until releaseHeld(): kill the caller meanwhile. */
  storeThenHangNext(method: string, match?: ArgsMatch): void {
    this.enqueueFailure(method, { kind: 'stored-then-hang' }, match);
  }

  /** How many answers storeThenHangNext is holding. */
  get heldCount(): number {
    return this.held.length;
  }

  /** Answers held calls with a 500 (their callers are usually gone by then). */
  releaseHeld(): void {
    for (const release of this.held.splice(0)) release();
  }

  /** Messages that are in the channel (top level and replies), whatever failed on the way. */
  storedMessages(channel?: string): StoredMessage[] {
    return channel ? (this.messages.get(channel) ?? []) : [...this.messages.values()].flat();
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
    this.releaseHeld();
    this.socketMode.close();
    this.server.closeAllConnections();
    this.server.close();
    await once(this.server, 'close');
  }

  /** One page of messages with cursor paging; metadata only with include_all_metadata, as Slack answers. */
  private page(all: StoredMessage[], args: Record<string, unknown>): Record<string, unknown> {
    const limit = Math.min(Number(args.limit ?? 100) || 100, 1000);
    const offset = Number(args.cursor ?? 0) || 0;
    const withMetadata = args.include_all_metadata === true || args.include_all_metadata === 'true';
    const messages = all
      .slice(offset, offset + limit)
      .map(({ metadata, ...message }) => (withMetadata && metadata ? { ...message, metadata } : message));
    const more = offset + limit < all.length;
    return {
      ok: true,
      messages,
      has_more: more,
      response_metadata: { next_cursor: more ? String(offset + limit) : '' },
    };
  }

  private enqueueFailure(method: string, failure: Failure, match?: ArgsMatch): void {
    this.failures.set(method, [...(this.failures.get(method) ?? []), { ...failure, ...(match ? { match } : {}) }]);
  }

  private takeFailure(method: string, args: Record<string, unknown>): Failure | undefined {
    const queue = this.failures.get(method) ?? [];
    const index = queue.findIndex((failure) => !failure.match || failure.match(args));
    return index < 0 ? undefined : queue.splice(index, 1)[0];
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
    const failure = this.takeFailure(method, args);
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
    if (failure?.kind === 'stored-then-http')
      return { status: failure.status, body: { ok: false, error: 'http_error' } };
    if (failure?.kind === 'stored-then-hang') {
      await new Promise<void>((resolve) => this.held.push(resolve));
      return { status: 500, body: { ok: false, error: 'http_error' } };
    }
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
        const channel = String(args.channel);
        const message: StoredMessage = {
          type: 'message',
          ts,
          ...(args.thread_ts ? { thread_ts: String(args.thread_ts) } : {}),
          ...(args.text !== undefined ? { text: String(args.text) } : {}),
          ...(args.blocks ? { blocks: args.blocks } : {}),
          bot_id: 'BBOT',
          user: 'UBOT',
          ...(args.metadata ? { metadata: args.metadata as StoredMessage['metadata'] } : {}),
        };
        this.messages.set(channel, [...(this.messages.get(channel) ?? []), message]);
        return { ok: true, channel, ts, message };
      }
      case 'chat.update': {
        if (!args.channel || !args.ts) return { ok: false, error: 'message_not_found' };
        const stored = this.messages.get(String(args.channel))?.find((message) => message.ts === args.ts);
        if (stored) {
          if (args.text !== undefined) stored.text = String(args.text);
          if (args.blocks) stored.blocks = args.blocks;
          if (args.metadata) stored.metadata = args.metadata as StoredMessage['metadata'];
        }
        return { ok: true, channel: args.channel, ts: args.ts, text: args.text, message: { text: args.text } };
      }
      case 'conversations.history': {
        // Top-level messages (a thread's parent included, its replies not), newest first, as Slack pages them.
        const all = (this.messages.get(String(args.channel)) ?? [])
          .filter((message) => !message.thread_ts || message.thread_ts === message.ts)
          .reverse();
        return this.page(all, args);
      }
      case 'conversations.replies': {
        // The parent first, then its replies, oldest first.
        const all = (this.messages.get(String(args.channel)) ?? []).filter(
          (message) => message.ts === args.ts || message.thread_ts === args.ts,
        );
        if (all.length === 0) return { ok: false, error: 'thread_not_found' };
        return this.page(all, args);
      }
      case 'chat.postEphemeral':
        return { ok: true, message_ts: this.nextTs() };
      case 'chat.getPermalink': {
        const stored = this.messages.get(String(args.channel))?.some((message) => message.ts === args.message_ts);
        if (!stored) return { ok: false, error: 'message_not_found' };
        return {
          ok: true,
          channel: args.channel,
          permalink: `https://fake.slack.com/archives/${String(args.channel)}/p${String(args.message_ts).replace('.', '')}`,
        };
      }
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
