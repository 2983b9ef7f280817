/** A request the API server does not answer in time fails, so one stuck call cannot hold an investigation or a plan. */
export const REQUEST_TIMEOUT_MS = 15_000;

/**
 * `request`, given a signal that aborts it once `ms` have passed: the request is cancelled, its connection closed
 * (a stuck API server is not left holding one socket per timed-out call), and it fails saying what had no answer.
 */
export function withTimeout<T>(
  what: string,
  request: (signal: AbortSignal) => Promise<T>,
  ms = REQUEST_TIMEOUT_MS,
): Promise<T> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new Error(`${what}: no answer within ${ms / 1000} s`)), ms);
  return request(controller.signal).finally(() => clearTimeout(timer));
}
