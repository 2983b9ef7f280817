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

// Used when no key is configured (development, tests): the chain then only shows edits by someone who does not
// recompute hashes. Public on purpose, so nobody mistakes it for protection.
const DEVELOPMENT_KEY = 'incident-bot:audit:development-key:not-secret';

/** One key of AUDIT_HMAC_KEYS: its id (written in each row and checkpoint it signs) and its secret. */
export interface KeyringEntry {
  id: string;
  secret: string;
}

/** A row or checkpoint as far as its key goes: the id of the key that signed it, null from before key ids. */
interface Signed {
  keyId?: string | null;
}

class Hmac {
  constructor(private readonly secret: string) {}
  mac(purpose: string, ...parts: string[]): string {
    const hmac = createHmac('sha256', this.secret).update(`incident-bot:audit:${purpose}\n`);
    for (const part of parts) hmac.update(part);
    return hmac.digest('hex');
  }
}

/**
 * The secrets the audit chains are keyed with (HMAC-SHA256). They live outside the database (AUDIT_HMAC_KEYS or
 * AUDIT_HMAC_KEY, from a Secret or a KMS), so a database superuser who edits or deletes a row cannot compute the
 * hashes that would hide it. The same keys sign the checkpoints of the chain heads written outside Postgres.
 *
 * Rotation: AUDIT_HMAC_KEYS lists `id:secret` pairs, oldest first. The newest signs every new row and checkpoint
 * and its id is written beside them; the older ones only verify what they signed. Rows and checkpoints from
 * before key ids (written under a single AUDIT_HMAC_KEY) carry none: they verify with the first key listed, so a
 * rotation starts with `AUDIT_HMAC_KEYS=<old id>:<the old AUDIT_HMAC_KEY>,<new id>:<new secret>`.
 */
export class ChainKey {
  /** False with the public development key: verify says so instead of pretending. */
  readonly keyed: boolean;
  /** The id written beside what this process signs; null with a single AUDIT_HMAC_KEY (as before key ids). */
  readonly currentId: string | null;
  /** The id of the key that verifies rows and checkpoints without one (the first listed); null with a single key. */
  readonly firstId: string | null;
  private readonly byId = new Map<string, Hmac>();
  /** The key of rows and checkpoints that carry no key id. */
  private readonly unnamed: Hmac;

  /** `keys`: one secret (AUDIT_HMAC_KEY), the keyring (AUDIT_HMAC_KEYS, oldest first), or nothing (development). */
  constructor(keys?: string | KeyringEntry[]) {
    const ring = typeof keys === 'string' ? [] : (keys ?? []);
    this.keyed = ring.length > 0 || Boolean(keys);
    for (const { id, secret } of ring) this.byId.set(id, new Hmac(secret));
    this.currentId = ring.at(-1)?.id ?? null;
    this.firstId = ring[0]?.id ?? null;
    this.unnamed = new Hmac(ring[0]?.secret ?? ((keys as string | undefined) || DEVELOPMENT_KEY));
  }

  /** The key a row or checkpoint names; undefined for an id this keyring does not hold. */
  private keyOf(keyId: string | null | undefined): Hmac | undefined {
    return keyId ? this.byId.get(keyId) : this.unnamed;
  }

  /** Whether this keyring holds the key that signed a row or checkpoint naming `keyId`. */
  holds(keyId: string | null | undefined): boolean {
    return this.keyOf(keyId) !== undefined;
  }

  /** Where a chain starts, under the key of its first row: bound to its incident, so a chain cannot be moved. */
  genesis(incidentId: string | null, keyId: string | null = this.currentId): string {
    return this.keyOf(keyId)?.mac('genesis', incidentId ?? 'global') ?? '';
  }

  /**
   * hash = HMAC(key of the row, prevHash + canonical JSON of the content); the key id is part of the content when
   * there is one. Empty for a key this keyring does not hold (never equal to a stored hash).
   */
  hash(row: AuditContent & Signed & { prevHash: string }): string {
    const content = canonicalJson({
      seq: row.seq.toString(),
      at: row.at.toISOString(),
      incidentId: row.incidentId,
      actor: row.actor,
      action: row.action,
      target: row.target,
      justification: row.justification,
      details: row.details ?? {},
      ...(row.keyId ? { keyId: row.keyId } : {}),
    });
    return this.keyOf(row.keyId)?.mac('row', row.prevHash, content) ?? '';
  }

  /** Signature of a checkpoint (its canonical JSON without the signature) under the key it names (`kid`). */
  sign(payload: Record<string, unknown> & { kid?: string }): string {
    const key = this.keyOf(payload.kid);
    if (!key) throw new Error(`no audit key "${payload.kid}" to sign with`);
    return key.mac('checkpoint', canonicalJson(payload));
  }

  verifySignature(payload: Record<string, unknown> & { kid?: string }, signature: string): boolean {
    const key = this.keyOf(payload.kid);
    if (!key) return false;
    const expected = Buffer.from(key.mac('checkpoint', canonicalJson(payload)), 'hex');
    const given = Buffer.from(signature, 'hex');
    return expected.length === given.length && timingSafeEqual(expected, given);
  }
}
