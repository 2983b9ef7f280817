import type { AuditEntry, AuditLog } from './audit-log.ts';

/**
 * An investigation's own events (tool reads, model calls, hypotheses, the decision), appended without the
 * investigation waiting for each: `record` hands the entries to the log at once, in the order recorded — the log
 * appends in that order, so the chain's order is the order of the calls — and returns. `settled()` resolves once
 * every entry recorded so far is committed; whatever shows the investigation's results (VisibleState, before any
 * Slack post or edit) waits for it, so nothing is shown before the reads it rests on are in the trail. A worker that
 * dies before then loses reads that changed nothing anywhere, and its retry reads and records them again.
 * Once an append has failed, `settled()` fails from then on: the trail has a hole, so nothing more is shown.
 */
export class DeferredAudit implements AuditLog {
  private readonly writing = new Set<Promise<void>>();
  private failure: { error: unknown } | null = null;

  constructor(private readonly log: AuditLog) {}

  record(...entries: AuditEntry[]): Promise<void> {
    const write: Promise<void> = this.log.record(...entries).then(
      () => void this.writing.delete(write),
      (error: unknown) => {
        this.writing.delete(write);
        this.failure ??= { error };
      },
    );
    this.writing.add(write);
    return Promise.resolve();
  }

  async settled(): Promise<void> {
    await Promise.all(this.writing);
    if (this.failure) throw this.failure.error;
  }
}
