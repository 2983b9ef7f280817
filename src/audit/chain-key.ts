import { createHmac, timingSafeEqual } from 'node:crypto';

/** The fields a row's hash covers: everything but the hashes themselves (seq included, so a row cannot move). */
export interface AuditContent {
  seq: bigint;
  at: Date;
  incidentId: string | null;
  actor: string;
  action: string;
  target: string | null;
  justification: string | null;
  details: unknown;
}

/** JSON with keys sorted at every level, so the same content always hashes the same (jsonb reorders keys). */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map((item) => canonicalJson(item ?? null)).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, item]) => item !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(',')}}`;
}

// Used when AUDIT_HMAC_KEY is unset (development, tests): the chain then only shows edits by someone who does
// not recompute hashes. Public on purpose, so nobody mistakes it for protection.
const DEVELOPMENT_KEY = 'incident-bot:audit:development-key:not-secret';

/**
 * The secret the audit chains are keyed with (HMAC-SHA256). It lives outside the database (AUDIT_HMAC_KEY, from
 * a Secret or a KMS), so a database superuser who edits or deletes a row cannot compute the hashes that would
 * hide it. The same key signs the checkpoints of the chain heads written outside Postgres.
 */
export class ChainKey {
  /** False with the public development key: verify says so instead of pretending. */
  readonly keyed: boolean;
  private readonly secret: string;

  constructor(secret?: string) {
    this.keyed = Boolean(secret);
    this.secret = secret || DEVELOPMENT_KEY;
  }

  private mac(purpose: string, ...parts: string[]): string {
    const hmac = createHmac('sha256', this.secret).update(`incident-bot:audit:${purpose}\n`);
    for (const part of parts) hmac.update(part);
    return hmac.digest('hex');
  }

  /** Where a chain starts: bound to its incident, so a chain cannot be moved to another incident unnoticed. */
  genesis(incidentId: string | null): string {
    return this.mac('genesis', incidentId ?? 'global');
  }

  /** hash = HMAC(key, prevHash + canonical JSON of the content). */
  hash(row: AuditContent & { prevHash: string }): string {
    const content = canonicalJson({
      seq: row.seq.toString(),
      at: row.at.toISOString(),
      incidentId: row.incidentId,
      actor: row.actor,
      action: row.action,
      target: row.target,
      justification: row.justification,
      details: row.details ?? {},
    });
    return this.mac('row', row.prevHash, content);
  }

  /** Signature of a checkpoint (its canonical JSON without the signature). */
  sign(payload: Record<string, unknown>): string {
    return this.mac('checkpoint', canonicalJson(payload));
  }

  verifySignature(payload: Record<string, unknown>, signature: string): boolean {
    const expected = Buffer.from(this.sign(payload), 'hex');
    const given = Buffer.from(signature, 'hex');
    return expected.length === given.length && timingSafeEqual(expected, given);
  }
}
