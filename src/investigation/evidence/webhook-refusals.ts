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

// `…denied the request: validation failed: failed policy: only-signed-images: …`, `…violates policy "no-root"…`: the
// policy behind the webhook, by its name (lower-case; `policy Pod/ns/name` names the refused object, not a policy).
const QUOTED_POLICY = /[Pp]olicy:?\s+["']?([a-z0-9][a-z0-9.-]*[a-z0-9])(?![\w/])/;

/** The policy a webhook's refusal quotes by name, when it quotes one. */
export function quotedPolicy(message: string): string | undefined {
  return QUOTED_POLICY.exec(message)?.[1];
}
