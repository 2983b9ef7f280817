import type pg from 'pg';
import type { PrismaClient } from '../generated/prisma/client.ts';
import type { AtCommit } from '../store/db.ts';
import { redact } from '../redaction/policy.ts';
import type { AuditAction } from './actions.ts';

/** Who did what to what, and why. Every tool call, model call, decision and click becomes one. */
export interface AuditEntry {
  /** `bot`, `executor`, `slack:U123`, `pagerduty`, `agent`… */
  actor: string;
  action: AuditAction;
  target?: string;
  incidentId?: string;
  justification?: string;
  details?: Record<string, unknown>;
}

export interface AuditLog {
  /** Appends the entries in the order given, in one write; resolves once they are committed. */
  record(...entries: AuditEntry[]): Promise<void>;
  /**
   * Where the log is Postgres on the database of `db`: appends the entries (one chain's) as `record` does and runs
   * `statement` (no parameters: values as literals) in the same transaction, after them, resolving with its result
   * once committed. Undefined (nothing done) where it is not.
   */
  recordAlong?(db: PrismaClient, statement: string, entries: AuditEntry[]): Promise<pg.QueryResult> | undefined;
}

/**
 * An audit log in Postgres: a change and the rows that record it can commit in one transaction, or not at all
 * (`tx`: a pg client inside the caller's transaction, src/store/db.ts inTransaction).
 */
export interface TransactionalAuditLog extends AuditLog {
  /** With `atCommit`, the rows are inserted with the transaction's COMMIT (one round trip fewer), else at once. */
  recordIn(tx: pg.ClientBase, entries: AuditEntry[], atCommit?: AtCommit): Promise<void>;
  /** An SQL expression (an array of `count` seqs) for the caller's statement that creates an incident (startChain). */
  seqsFor(count: number): string;
  /**
   * The first rows of the chain of an incident the caller's transaction creates, on the seqs its statement took
   * (seqsFor), inserted with the COMMIT. Nobody else can know the incident's id before that commits, so its chain
   * has no rows and no other writer: no lock, and no read of its head.
   */
  startChain(entries: AuditEntry[], seqs: string[], atCommit: AtCommit): void;
}

/** For the CLI and replays, where there is no database: keeps entries in order, in memory. */
export class MemoryAuditLog implements AuditLog {
  readonly entries: (AuditEntry & { at: string })[] = [];
  async record(...entries: AuditEntry[]): Promise<void> {
    for (const entry of entries) this.entries.push({ ...redact(entry), at: new Date().toISOString() });
  }
}
