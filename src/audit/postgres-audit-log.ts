import type { Prisma, PrismaClient } from '../generated/prisma/client.ts';
import { unavailableDependency } from '../http/unavailable.ts';
import { storable } from '../redaction/policy.ts';
import type { AuditEntry, TransactionalAuditLog } from './audit-log.ts';
import { type AuditContent, ChainKey } from './chain-key.ts';

const chainLockKey = (incidentId: string | null) => `incident-bot:audit:${incidentId ?? 'global'}`;

/** Rows written in one transaction at most (a burst of tool calls from several investigations, a refusal flush). */
const MAX_ROWS_PER_WRITE = 500;

/** An entry ready to be stored: masked, its details as jsonb will hold them. */
interface Prepared {
  entry: AuditEntry;
  details: Prisma.InputJsonValue;
}

/** One caller's entries waiting for the next write, and how to tell the caller once they are committed. */
interface Waiting {
  rows: Prepared[];
  done(error?: unknown): void;
}

function prepare(received: AuditEntry): Prepared {
  // Rows can never be deleted: credentials are masked, and text Postgres refuses replaced, before the append.
  const entry = storable(received);
  // A JSON round trip drops undefined and turns Dates into strings, as jsonb will store them.
  return { entry, details: JSON.parse(JSON.stringify(entry.details ?? {})) as Prisma.InputJsonValue };
}

/** The rows grouped by the chain they extend, each group in the order given. */
function byChain(rows: Prepared[]): Map<string | null, Prepared[]> {
  const chains = new Map<string | null, Prepared[]>();
  for (const row of rows) {
    const chain = row.entry.incidentId ?? null;
    chains.set(chain, [...(chains.get(chain) ?? []), row]);
  }
  return chains;
}

const ascending = (a: bigint, b: bigint) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Hash-chained, append-only audit rows: one chain per incident, one global chain for events without an
 * incident, each row's hash an HMAC under a key held outside the database (src/audit/chain-key.ts).
 * Appends to a chain are serialised by a transaction-scoped advisory lock per chain, so concurrent writers (web
 * and worker pods) keep each chain linear; a transaction takes its chains' locks in one order, so two cannot wait
 * on each other.
 *
 * Within a process, what is recorded while a write is running goes into the next write, whatever its chain (group
 * commit): a worker's concurrent investigations and their parallel tool calls share transactions instead of each
 * row taking its own, and no connection of the pool waits on a lock. Each `record` still resolves only once its row
 * is committed.
 */
export class PostgresAuditLog implements TransactionalAuditLog {
  private readonly waiting: Waiting[] = [];
  private writing = false;

  constructor(
    private readonly db: PrismaClient,
    private readonly key: ChainKey = new ChainKey(),
  ) {}

  record(entry: AuditEntry): Promise<void> {
    const rows = [prepare(entry)];
    return new Promise((resolve, reject) => {
      this.waiting.push({ rows, done: (error?: unknown) => (error === undefined ? resolve() : reject(error)) });
      if (!this.writing) void this.drain();
    });
  }

  recordIn(tx: Prisma.TransactionClient, entries: AuditEntry[]): Promise<void> {
    return this.append(tx, entries.map(prepare));
  }

  /** Writes what is waiting, a batch per transaction, until nothing is. */
  private async drain(): Promise<void> {
    this.writing = true;
    while (this.waiting.length > 0) {
      const batch: Waiting[] = [];
      let rows = 0;
      while (
        this.waiting.length > 0 &&
        (batch.length === 0 || rows + this.waiting[0]!.rows.length <= MAX_ROWS_PER_WRITE)
      ) {
        const next = this.waiting.shift()!;
        batch.push(next);
        rows += next.rows.length;
      }
      try {
        await this.write(batch.flatMap((one) => one.rows));
        for (const one of batch) one.done();
      } catch (error) {
        // Postgres down or out of connections fails every caller at once, rather than each after its own wait.
        if (batch.length === 1 || unavailableDependency(error)) for (const one of batch) one.done(error);
        // One caller's bad entry must not fail the others: each is written on its own.
        else for (const one of batch) await this.write(one.rows).then(() => one.done(), one.done);
      }
    }
    this.writing = false;
  }

  private write(rows: Prepared[]): Promise<void> {
    return this.db.$transaction((tx) => this.append(tx, rows), { maxWait: 15_000, timeout: 15_000 });
  }

  private async append(tx: Prisma.TransactionClient, rows: Prepared[]): Promise<void> {
    if (rows.length === 0) return;
    const chains = byChain(rows);
    const incidents = [...chains.keys()].filter((chain): chain is string => chain !== null);
    const lockKeys = [...chains.keys()].map(chainLockKey);
    await tx.$executeRaw`
      SELECT pg_advisory_xact_lock(lock)
      FROM (SELECT DISTINCT hashtext(key) AS lock FROM unnest(${lockKeys}::text[]) AS key ORDER BY lock) AS locks`;
    // The chains' heads and the rows' seqs in one round trip, read after the locks so each head is the latest
    // committed. The seqs are taken first so the hashes cover them. A transaction that fails after this leaves a gap
    // in the sequence that no committed row fills: verify tells such gaps from deletions (src/audit/verify.ts).
    const [read] = await tx.$queryRaw<[{ seqs: bigint[]; heads: (string | null)[]; global: string | null }]>`
      SELECT
        ARRAY(SELECT nextval(pg_get_serial_sequence('"AuditEvent"', 'seq'))
              FROM generate_series(1, ${rows.length}::int)) AS "seqs",
        ARRAY(SELECT (SELECT "hash" FROM "AuditEvent" WHERE "incidentId" = chain.id ORDER BY "seq" DESC LIMIT 1)
              FROM unnest(${incidents}::text[]) WITH ORDINALITY AS chain(id, position) ORDER BY chain.position) AS "heads",
        (SELECT "hash" FROM "AuditEvent" WHERE "incidentId" IS NULL ORDER BY "seq" DESC LIMIT 1) AS "global"`;
    const heads = new Map<string | null, string | null>(incidents.map((id, index) => [id, read.heads[index] ?? null]));
    heads.set(null, read.global);
    const seqs = read.seqs.map(BigInt).sort(ascending);
    const at = new Date();
    const data = [...chains].flatMap(([incidentId, chainRows]) => {
      let prevHash = heads.get(incidentId) ?? this.key.genesis(incidentId);
      return chainRows.map(({ entry, details }) => {
        const content: AuditContent = {
          seq: seqs.shift()!,
          at,
          incidentId,
          actor: entry.actor,
          action: entry.action,
          target: entry.target ?? null,
          justification: entry.justification ?? null,
          details,
        };
        // The newest key of the ring signs; its id is stored so the row still verifies after the next rotation.
        const keyId = this.key.currentId;
        const hash = this.key.hash({ ...content, keyId, prevHash });
        const row = { ...content, details, prevHash, keyId, hash };
        prevHash = hash;
        return row;
      });
    });
    await tx.auditEvent.createMany({ data });
  }
}
