/** What a webhook handler answers; the HTTP layer writes it as JSON. */
export interface WebhookResult {
  status: number;
  body: Record<string, unknown>;
}
