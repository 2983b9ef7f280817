import { z } from 'zod';
import { errorMessage } from '../observability/error-message.ts';

/**
 * The two PagerDuty REST API v2 calls the bot makes, nothing more: add a note to an incident and change its
 * status. Rate limits (429) and PagerDuty's own failures (5xx, no answer) are retried with exponential backoff,
 * waiting at least what PagerDuty asks (`Retry-After`, or its `ratelimit-reset` seconds); other 4xx are final.
 */

export interface PagerDutyApiConfig {
  /** Base URL, https://api.pagerduty.com unless a proxy or a test stand-in. */
  apiUrl: string;
  /** REST API key (account or user token): `Authorization: Token token=…`. */
  token: string;
  /** Email of a PagerDuty user on the account, in the `From` header writes require. */
  fromEmail: string;
}

export interface RetryOptions {
  /** Requests per call before giving up (the first included). */
  attempts?: number;
  /** First backoff; doubled each attempt, capped at `maxDelayMs`. */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Per request. */
  timeoutMs?: number;
}

export type PagerDutyStatus = 'acknowledged' | 'resolved';

/** A call PagerDuty refused or never answered; `retryable` tells whether a later try could succeed. */
export class PagerDutyError extends Error {
  constructor(
    message: string,
    readonly status: number | null,
    readonly retryable: boolean,
    readonly attempts: number,
  ) {
    super(message);
    this.name = 'PagerDutyError';
  }
}

const NoteResponse = z.object({ note: z.object({ id: z.string(), content: z.string(), created_at: z.string() }) });
const IncidentResponse = z.object({
  incident: z.object({ id: z.string(), status: z.string(), html_url: z.string().optional() }),
});
const ErrorBody = z.object({
  error: z.object({
    message: z.string().optional(),
    code: z.number().optional(),
    errors: z.array(z.string()).optional(),
  }),
});

export const PAGERDUTY_ACCEPT = 'application/vnd.pagerduty+json;version=2';

/** The longest Retry-After honoured inside one call; a longer one fails the attempt and the job retries later. */
const MAX_REQUESTED_WAIT_MS = 120_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Seconds (or an HTTP date) from Retry-After, else PagerDuty's ratelimit-reset seconds; null when neither. */
export function requestedWaitMs(headers: Headers, now = Date.now()): number | null {
  const retryAfter = headers.get('retry-after');
  if (retryAfter) {
    const seconds = Number(retryAfter);
    if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
    const date = Date.parse(retryAfter);
    if (!Number.isNaN(date)) return Math.max(0, date - now);
  }
  const reset = Number(headers.get('ratelimit-reset') ?? Number.NaN);
  return Number.isFinite(reset) && reset >= 0 ? reset * 1000 : null;
}

async function errorText(response: Response): Promise<string> {
  const body = await response.text().catch(() => '');
  let parsed: z.infer<typeof ErrorBody> | undefined;
  try {
    parsed = ErrorBody.safeParse(JSON.parse(body)).data;
  } catch {
    parsed = undefined;
  }
  const detail = parsed
    ? [parsed.error.message, ...(parsed.error.errors ?? [])].filter(Boolean).join(': ')
    : body.slice(0, 200);
  return `PagerDuty answered ${response.status}${detail ? ` (${detail})` : ''}`;
}

export class PagerDutyClient {
  constructor(
    private readonly config: PagerDutyApiConfig,
    private readonly retry: RetryOptions = {},
  ) {}

  /** `POST /incidents/{id}/notes`; resolves to the note's id. */
  async addNote(incidentId: string, content: string): Promise<string> {
    const body = await this.call('POST', `/incidents/${encodeURIComponent(incidentId)}/notes`, { note: { content } });
    return NoteResponse.parse(body).note.id;
  }

  /** `PUT /incidents/{id}` with the new status; resolves to the status PagerDuty reports. */
  async setStatus(incidentId: string, status: PagerDutyStatus): Promise<string> {
    const body = await this.call('PUT', `/incidents/${encodeURIComponent(incidentId)}`, {
      incident: { type: 'incident_reference', status },
    });
    return IncidentResponse.parse(body).incident.status;
  }

  private async call(method: 'POST' | 'PUT', path: string, payload: unknown): Promise<unknown> {
    const attempts = this.retry.attempts ?? 4;
    const base = this.retry.baseDelayMs ?? 1000;
    const max = this.retry.maxDelayMs ?? 30_000;
    const url = new URL(
      path.replace(/^\//, ''),
      this.config.apiUrl.endsWith('/') ? this.config.apiUrl : `${this.config.apiUrl}/`,
    );
    for (let attempt = 1; ; attempt++) {
      let failure: PagerDutyError;
      let waitMs: number | null = null;
      try {
        const response = await fetch(url, {
          method,
          headers: {
            Authorization: `Token token=${this.config.token}`,
            From: this.config.fromEmail,
            Accept: PAGERDUTY_ACCEPT,
            'Content-Type': 'application/json',
          },
          body: JSON.stringify(payload),
          signal: AbortSignal.timeout(this.retry.timeoutMs ?? 10_000),
        });
        if (response.ok) return await response.json();
        const retryable = response.status === 429 || response.status >= 500;
        failure = new PagerDutyError(await errorText(response), response.status, retryable, attempt);
        waitMs = requestedWaitMs(response.headers);
      } catch (error) {
        failure = new PagerDutyError(`PagerDuty unreachable: ${errorMessage(error)}`, null, true, attempt);
      }
      if (!failure.retryable || attempt >= attempts) throw failure;
      const backoff = Math.min(max, base * 2 ** (attempt - 1));
      // PagerDuty's own wait wins when it asks for longer (within reason: the job itself is retried later too).
      await sleep(Math.max(backoff, Math.min(waitMs ?? 0, MAX_REQUESTED_WAIT_MS)));
    }
  }
}
