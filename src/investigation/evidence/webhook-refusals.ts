import type { ClusterSnapshot } from './snapshot.ts';

type Event = ClusterSnapshot['events'][number];

// `Error creating: admission webhook "require-owner.policy.example.com" denied the request: …`, or the webhook could
// not be called: `Internal error occurred: failed calling webhook "…": …`.
const WEBHOOK_REFUSAL = /(?:admission webhook|failed calling webhook) "([^"]+)"/;

/** Events that say a controller could not create its pods because an admission webhook refused them. */
export function webhookRefusals(events: Event[]): { webhook: string; event: Event }[] {
  return events.flatMap((event) => {
    if (event.reason !== 'FailedCreate') return [];
    const match = WEBHOOK_REFUSAL.exec(event.message ?? '');
    return match ? [{ webhook: match[1] as string, event }] : [];
  });
}
