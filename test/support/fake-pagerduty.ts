import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request the stand-in received, as PagerDuty would have: method, path, the headers that matter, the body. */
export interface PagerDutyCall {
  method: string;
  path: string;
  at: number;
  headers: { authorization?: string; from?: string; accept?: string; contentType?: string };
  body: unknown;
  /** What the stand-in answered. */
  status: number;
}

type Failure = { status: 429; retryAfterSeconds: number } | { status: 500 | 502 | 503 };

const ACCEPT = 'application/vnd.pagerduty+json;version=2';
const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

/**
 * A stand-in for PagerDuty's REST API v2 (https://api.pagerduty.com), for the two calls the bot makes:
 * `POST /incidents/{id}/notes` and `PUT /incidents/{id}`. It checks what PagerDuty checks (the token, the From
 * header writes need, the versioned Accept, the body shapes), answers in PagerDuty's shapes and errors, keeps the
 * incidents' notes and statuses, records every call, and fails on demand (429 with Retry-After, 5xx).
 */
export class FakePagerDuty {
  readonly calls: PagerDutyCall[] = [];
  readonly notes = new Map<string, { id: string; content: string }[]>();
  readonly statuses = new Map<string, string>();
  private readonly failures: Failure[] = [];
  private outage = false;
  private noteCounter = 0;

  private constructor(
    private readonly server: Server,
    readonly token: string,
  ) {}

  static async start(token = 'pd-test-token'): Promise<FakePagerDuty> {
    let fake: FakePagerDuty | undefined;
    const server = createServer((req, res) => {
      void fake!.handle(req).then(({ status, headers, body }) => {
        res.writeHead(status, { 'content-type': 'application/json', ...headers });
        res.end(JSON.stringify(body));
      });
    });
    fake = new FakePagerDuty(server, token);
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    return fake;
  }

  get apiUrl(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** The next requests fail, in order, before the stand-in answers normally again. */
  failNext(...failures: Failure[]): void {
    this.failures.push(...failures);
  }

  /** Every request answered 503 until `setOutage(false)`. */
  setOutage(down: boolean): void {
    this.outage = down;
  }

  callsTo(method: string, pathPattern: RegExp): PagerDutyCall[] {
    return this.calls.filter((call) => call.method === method && pathPattern.test(call.path));
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage) {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    let body: unknown;
    try {
      body = raw ? JSON.parse(raw) : undefined;
    } catch {
      body = raw;
    }
    const headers = {
      ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}),
      ...(typeof req.headers.from === 'string' ? { from: req.headers.from } : {}),
      ...(req.headers.accept ? { accept: req.headers.accept } : {}),
      ...(req.headers['content-type'] ? { contentType: req.headers['content-type'] } : {}),
    };
    const answer = this.answer(req.method ?? '', req.url ?? '', headers, body);
    this.calls.push({
      method: req.method ?? '',
      path: req.url ?? '',
      at: Date.now(),
      headers,
      body,
      status: answer.status,
    });
    return answer;
  }

  private answer(
    method: string,
    path: string,
    headers: PagerDutyCall['headers'],
    body: unknown,
  ): { status: number; headers?: Record<string, string>; body: unknown } {
    const error = (status: number, code: number, message: string, errors: string[] = []) => ({
      status,
      body: { error: { message, code, errors } },
    });
    if (headers.authorization !== `Token token=${this.token}`) return error(401, 2006, 'Unauthorized');
    if (headers.accept !== ACCEPT)
      return error(400, 2001, 'Invalid Input Provided', ['Accept header is not versioned']);
    if (this.outage) return error(503, 2000, 'Service Unavailable');
    const failure = this.failures.shift();
    if (failure?.status === 429)
      return {
        status: 429,
        headers: {
          'retry-after': String(failure.retryAfterSeconds),
          'ratelimit-reset': String(failure.retryAfterSeconds),
        },
        body: { error: { message: 'Rate Limit Exceeded', code: 2020 } },
      };
    if (failure) return error(failure.status, 2000, 'Internal Server Error');
    if (!headers.from || !EMAIL.test(headers.from))
      return error(400, 2001, 'Invalid Input Provided', ['Requester User Not Found (the From header)']);
    if (!headers.contentType?.startsWith('application/json')) return error(400, 2001, 'Invalid Input Provided');

    const note = path.match(/^\/incidents\/([A-Z0-9]+)\/notes$/);
    if (method === 'POST' && note) {
      const content = (body as { note?: { content?: unknown } } | undefined)?.note?.content;
      if (typeof content !== 'string' || content.length === 0)
        return error(400, 2001, 'Invalid Input Provided', ['Note content is required']);
      const created = { id: `PN${String(++this.noteCounter).padStart(5, '0')}`, content };
      this.notes.set(note[1]!, [...(this.notes.get(note[1]!) ?? []), created]);
      return {
        status: 200,
        body: {
          note: {
            ...created,
            user: { id: 'PUSER01', type: 'user_reference', summary: headers.from },
            channel: { summary: 'The PagerDuty website or APIs' },
            created_at: new Date().toISOString(),
          },
        },
      };
    }
    const incident = path.match(/^\/incidents\/([A-Z0-9]+)$/);
    if (method === 'PUT' && incident) {
      const update = (body as { incident?: { type?: unknown; status?: unknown } } | undefined)?.incident;
      if (update?.type !== 'incident_reference' && update?.type !== 'incident')
        return error(400, 2001, 'Invalid Input Provided', ['incident.type must be incident_reference']);
      if (update.status !== 'acknowledged' && update.status !== 'resolved')
        return error(400, 2001, 'Invalid Input Provided', ['Status is invalid']);
      this.statuses.set(incident[1]!, update.status);
      return {
        status: 200,
        body: {
          incident: {
            id: incident[1],
            type: 'incident',
            status: update.status,
            html_url: `https://acme.pagerduty.com/incidents/${incident[1]}`,
          },
        },
      };
    }
    return error(404, 2100, 'Not Found');
  }
}
