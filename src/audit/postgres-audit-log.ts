import type { Prisma, PrismaClient } from '../generated/prisma/client.ts';
import { storable } from '../redaction/policy.ts';
import type { AuditEntry, AuditLog } from './audit-log.ts';
import { type AuditContent, ChainKey } from './chain-key.ts';

const chainLockKey = (incidentId: string | null) => `incident-bot:audit:${incidentId ?? 'global'}`;

/**
 * Hash-chained, append-only audit rows: one chain per incident, one global chain for events without an
 * incident, each row's hash an HMAC under a key held outside the database (src/audit/chain-key.ts).
 * Appends to one chain are serialised by a transaction-scoped advisory lock, so concurrent writers (web
 * and worker pods) keep each chain linear.
 */
export class PostgresAuditLog implements AuditLog {
  constructor(
    private readonly db: PrismaClient,
    private readonly key: ChainKey = new ChainKey(),
  ) {}

  async record(received: AuditEntry): Promise<void> {
    // Rows can never be deleted: credentials are masked, and text Postgres refuses replaced, before the append.
    const entry = storable(received);
    const incidentId = entry.incidentId ?? null;
    // A JSON round trip drops undefined and turns Dates into strings, as jsonb will store them.
    const details = JSON.parse(JSON.stringify(entry.details ?? {})) as Prisma.InputJsonValue;
    await this.db.$transaction(
      async (tx) => {
        await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${chainLockKey(incidentId)}))`;
        const previous = await tx.auditEvent.findFirst({
          where: { incidentId },
          orderBy: { seq: 'desc' },
          select: { hash: true },
        });
        // The seq is taken first so the hash covers it. A transaction that fails after this leaves a gap in the
        // sequence that no committed row fills: verify tells such gaps from deletions (src/audit/verify.ts).
        const [{ seq }] = await tx.$queryRaw<[{ seq: bigint }]>`
          SELECT nextval(pg_get_serial_sequence('"AuditEvent"', 'seq')) AS seq`;
        const content: AuditContent = {
          seq,
          at: new Date(),
          incidentId,
          actor: entry.actor,
          action: entry.action,
          target: entry.target ?? null,
          justification: entry.justification ?? null,
          details,
        };
        const prevHash = previous?.hash ?? this.key.genesis(incidentId);
        await tx.auditEvent.create({
          data: { ...content, details, prevHash, hash: this.key.hash({ ...content, prevHash }) },
        });
      },
      { maxWait: 15_000, timeout: 15_000 },
    );
  }
}
