import { createHash } from 'node:crypto';
import type { Prisma, PrismaClient } from '../generated/prisma/client.ts';
import type { AuditEntry, AuditLog } from './audit-log.ts';

/** The fields a row's hash covers: everything but seq and the hashes themselves. */
export interface AuditContent {
  at: Date;
  incidentId: string | null;
  actor: string;
  action: string;
  target: string | null;
  justification: string | null;
  details: unknown;
}

/** JSON with keys sorted at every level, so the same content always hashes the same (jsonb reorders keys). */
function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map((item) => canonicalJson(item ?? null)).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, item]) => item !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(',')}}`;
}

/** Where a chain starts: bound to its incident, so a chain cannot be moved to another incident unnoticed. */
function genesisHash(incidentId: string | null): string {
  return createHash('sha256')
    .update(`incident-bot:audit:genesis:${incidentId ?? 'global'}`)
    .digest('hex');
}

/** hash = sha256(prevHash + canonical JSON of the content). verify/export recompute rows with this (AUDIT_CHAIN_RULES). */
function hashAuditEvent(row: AuditContent & { prevHash: string }): string {
  const content = canonicalJson({
    at: row.at.toISOString(),
    incidentId: row.incidentId,
    actor: row.actor,
    action: row.action,
    target: row.target,
    justification: row.justification,
    details: row.details ?? {},
  });
  return createHash('sha256').update(row.prevHash).update(content).digest('hex');
}

const chainLockKey = (incidentId: string | null) => `incident-bot:audit:${incidentId ?? 'global'}`;

/**
 * Hash-chained, append-only audit rows: one chain per incident, one global chain for events without an
 * incident. Appends to one chain are serialised by a transaction-scoped advisory lock, so concurrent
 * writers (web and worker pods) keep each chain linear.
 */
export class PostgresAuditLog implements AuditLog {
  constructor(private readonly db: PrismaClient) {}

  async record(entry: AuditEntry): Promise<void> {
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
        const content: AuditContent = {
          at: new Date(),
          incidentId,
          actor: entry.actor,
          action: entry.action,
          target: entry.target ?? null,
          justification: entry.justification ?? null,
          details,
        };
        const prevHash = previous?.hash ?? genesisHash(incidentId);
        await tx.auditEvent.create({
          data: { ...content, details, prevHash, hash: hashAuditEvent({ ...content, prevHash }) },
        });
      },
      { maxWait: 15_000, timeout: 15_000 },
    );
  }
}

/** The rules this writer builds chains by, for verify/export (src/audit/verify.ts `ChainRules`). */
export const AUDIT_CHAIN_RULES = { hash: hashAuditEvent, genesis: genesisHash };
