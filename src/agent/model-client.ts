import { setTimeout as sleep } from 'node:timers/promises';
import OpenAI, { APIConnectionError, APIError, APIUserAbortError } from 'openai';
import type { AgentConfig } from './config.ts';
import { modelCall } from '../observability/metrics.ts';
import { errorMessage } from '../observability/error-message.ts';

export type ChatRequest = OpenAI.Chat.Completions.ChatCompletionCreateParamsNonStreaming;
export type ChatResponse = OpenAI.Chat.Completions.ChatCompletion;

/** The model endpoint stayed down (or refused us) within the time limit: the engine's answer stands. */
export class ModelUnavailableError extends Error {
  constructor(
    message: string,
    readonly attempts: number,
  ) {
    super(message);
  }
}

export interface ModelAttempt {
  attempt: number;
  latencyMs: number;
  status?: number;
  error?: string;
}

const MAX_ATTEMPTS = 6;
const BASE_DELAY_MS = 500;
const MAX_DELAY_MS = 8_000;

// Retries are ours, not the SDK's: its backoff sleeps past our deadline when a server sends a long Retry-After.
export function createModelClient(config: AgentConfig): OpenAI {
  return new OpenAI({
    apiKey: config.apiKey,
    ...(config.baseURL ? { baseURL: config.baseURL } : {}),
    maxRetries: 0,
  });
}

const isRetryable = (error: unknown): boolean =>
  error instanceof APIConnectionError ||
  (error instanceof APIError &&
    !(error instanceof APIUserAbortError) &&
    error.status !== undefined &&
    (error.status === 408 || error.status === 409 || error.status === 429 || error.status >= 500));

function retryAfterMs(error: unknown): number | undefined {
  if (!(error instanceof APIError) || !error.headers) return undefined;
  const millis = Number.parseFloat(error.headers.get('retry-after-ms') ?? '');
  if (Number.isFinite(millis)) return millis;
  const seconds = Number.parseFloat(error.headers.get('retry-after') ?? '');
  return Number.isFinite(seconds) ? seconds * 1000 : undefined;
}

const backoffMs = (attempt: number): number =>
  Math.min(BASE_DELAY_MS * 2 ** (attempt - 1), MAX_DELAY_MS) * (1 - Math.random() * 0.25);

/**
 * One chat completion, retried on 429/5xx/connection errors with backoff (honouring Retry-After), never past
 * `deadline`. Every attempt is reported so each model call can be audited.
 */
export async function completeWithRetry(
  client: OpenAI,
  request: ChatRequest,
  deadline: number,
  onAttempt: (attempt: ModelAttempt, response?: ChatResponse) => Promise<void>,
): Promise<ChatResponse> {
  for (let attempt = 1; ; attempt += 1) {
    const remaining = deadline - Date.now();
    if (remaining <= 0)
      throw new ModelUnavailableError('the time limit was reached waiting for the model', attempt - 1);
    const started = Date.now();
    try {
      const response = await client.chat.completions.create(request, { maxRetries: 0, timeout: remaining });
      modelCall(true, response.usage);
      await onAttempt({ attempt, latencyMs: Date.now() - started }, response);
      return response;
    } catch (error) {
      modelCall(false);
      const status = error instanceof APIError ? error.status : undefined;
      const message = errorMessage(error);
      await onAttempt({ attempt, latencyMs: Date.now() - started, ...(status ? { status } : {}), error: message });
      if (!isRetryable(error) || attempt >= MAX_ATTEMPTS) {
        throw new ModelUnavailableError(`the model endpoint failed: ${message}`, attempt);
      }
      const delay = retryAfterMs(error) ?? backoffMs(attempt);
      if (Date.now() + delay >= deadline) {
        throw new ModelUnavailableError(
          `the model endpoint failed and the time limit leaves no retry: ${message}`,
          attempt,
        );
      }
      await sleep(delay);
    }
  }
}
