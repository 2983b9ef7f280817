import type { AuditLog } from '../audit/audit-log.ts';
import { alertRefused } from '../observability/metrics.ts';

/** Why a request was turned away: a fixed vocabulary, so the counters stay bounded whatever is sent. */
export type RefusalReason =
  | 'no-signature'
  | 'bad-signature'
  | 'bad-token'
  | 'not-json'
  | 'too-deep'
  | 'bad-envelope'
  | 'bad-payload'
  | 'unknown-action'
  | 'unknown-cluster';

export type RefusalSource = 'pagerduty' | 'alertmanager' | 'slack';

interface Tally {
  count: number;
  bytes: number;
  firstAt: Date;
  lastAt: Date;
}

/**
 * Refused requests are counted, not written one by one: a flood of unsigned requests must neither fill the
 * append-only audit trail nor queue on its lock, and a refusal must not wait for (or fail with) the database.
 * Every `intervalMs` — and at `stop()` — each (source, reason) seen since the last write becomes one
 * `webhook.refused` row with its count. A write that fails keeps its counts for the next one.
 */
export class RefusalCounter {
  private tallies = new Map<string, Tally>();
  private readonly timer: NodeJS.Timeout;
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly audit: AuditLog,
    intervalMs = 60_000,
    private readonly onError: (error: Error) => void = () => undefined,
  ) {
    this.timer = setInterval(() => void this.flush(), intervalMs).unref();
  }

  count(source: RefusalSource, reason: RefusalReason, bytes = 0): void {
    alertRefused(source, reason);
    const key = `${source}\n${reason}`;
    const now = new Date();
    const tally = this.tallies.get(key);
    if (tally) {
      tally.count++;
      tally.bytes += bytes;
      tally.lastAt = now;
    } else this.tallies.set(key, { count: 1, bytes, firstAt: now, lastAt: now });
  }

  /** Writes what was counted since the last write; concurrent calls are serialised. */
  flush(): Promise<void> {
    this.flushing = this.flushing.then(() => this.write());
    return this.flushing;
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }

  private async write(): Promise<void> {
    const pending = this.tallies;
    this.tallies = new Map();
    for (const [key, tally] of pending) {
      const [source, reason] = key.split('\n') as [RefusalSource, RefusalReason];
      try {
        await this.audit.record({
          actor: source,
          action: 'webhook.refused',
          target: source,
          justification: reason,
          details: {
            count: tally.count,
            bytes: tally.bytes,
            firstAt: tally.firstAt.toISOString(),
            lastAt: tally.lastAt.toISOString(),
          },
        });
      } catch (error) {
        this.merge(key, tally);
        this.onError(error as Error);
      }
    }
  }

  private merge(key: string, tally: Tally): void {
    const newer = this.tallies.get(key);
    this.tallies.set(
      key,
      newer
        ? {
            count: tally.count + newer.count,
            bytes: tally.bytes + newer.bytes,
            firstAt: tally.firstAt,
            lastAt: newer.lastAt,
          }
        : tally,
    );
  }
}
