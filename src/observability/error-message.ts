/**
 * What went wrong, as one line for a person: the message of an Error, the API server's own `message` when a
 * Kubernetes client error carries the response body (its Error message is a long HTTP dump), or the thrown
 * value itself. Everything the bot catches and reports (audit, Slack, logs, CLI) goes through this.
 */
export function errorMessage(error: unknown): string {
  const body = typeof error === 'object' && error !== null ? (error as { body?: unknown }).body : undefined;
  if (typeof body === 'string') {
    try {
      return (JSON.parse(body) as { message?: string }).message ?? body;
    } catch {
      return body;
    }
  }
  return error instanceof Error ? error.message : String(error);
}
