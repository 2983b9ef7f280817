import { within } from './unavailable.ts';
import { errorMessage } from '../observability/error-message.ts';

const CHECK_TIMEOUT_MS = 2_000;

/**
 * Runs every dependency check at once, each bounded in time: 200 when all answer, else 503; the body names
 * each dependency with `ok` or why it failed (for /readyz on the web port and on the metrics port).
 */
export async function readiness(
  checks: Record<string, () => Promise<unknown>>,
): Promise<{ status: 200 | 503; body: Record<string, string> }> {
  const results = await Promise.all(
    Object.entries(checks).map(async ([what, check]) => {
      try {
        await within(check(), CHECK_TIMEOUT_MS, what);
        return [what, 'ok'] as const;
      } catch (error) {
        return [what, errorMessage(error)] as const;
      }
    }),
  );
  const body = Object.fromEntries(results);
  return { status: results.every(([, result]) => result === 'ok') ? 200 : 503, body };
}
