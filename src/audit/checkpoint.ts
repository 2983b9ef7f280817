import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { PrismaClient } from '../generated/prisma/client.ts';
import { canonicalJson, type ChainKey } from './chain-key.ts';

/** The newest row of one chain at checkpoint time. */
export const ChainHeadSchema = z.object({ incidentId: z.string().nullable(), seq: z.string(), hash: z.string() });
export type ChainHead = z.infer<typeof ChainHeadSchema>;

/**
 * What the audit table held at one moment, signed with the chain key and written outside Postgres: every row up
 * to `lastSeq` (`rows` of them, in `chains` chains) and a digest of every chain's head. Each head's hash covers its
 * whole chain, so the digest covers every row: deleting a chain's newest rows (and resetting the sequence) no
 * longer leaves a consistent-looking table. `heads` is the list itself, where the sink has room for it.
 */
export const CheckpointSchema = z.object({
  v: z.literal(1),
  at: z.string(),
  lastSeq: z.string(),
  rows: z.number().int().nonnegative(),
  chains: z.number().int().nonnegative(),
  digest: z.string(),
  /** The AUDIT_HMAC_KEYS key that signed it; absent from before key ids (the first key listed verifies it). */
  kid: z.string().optional(),
  sig: z.string(),
  heads: z.array(ChainHeadSchema).optional(),
});
export type Checkpoint = z.infer<typeof CheckpointSchema>;

/** The fields the signature covers (heads are covered through the digest). */
export const signedPart = ({ v, at, lastSeq, rows, chains, digest, kid }: Checkpoint) => ({
  v,
  at,
  lastSeq,
  rows,
  chains,
  digest,
  ...(kid ? { kid } : {}),
});

export function headsDigest(heads: ChainHead[]): string {
  const sorted = [...heads].sort((a, b) => (BigInt(a.seq) < BigInt(b.seq) ? -1 : 1));
  return createHash('sha256').update(canonicalJson(sorted)).digest('hex');
}

/** Each chain's newest row among `rows` with seq ≤ lastSeq: the heads a checkpoint at lastSeq saw. */
export function headsAsOf(
  rows: { seq: bigint; incidentId: string | null; hash: string }[],
  lastSeq: bigint,
): { heads: ChainHead[]; rows: number } {
  const heads = new Map<string | null, ChainHead>();
  let count = 0;
  for (const row of rows) {
    if (row.seq > lastSeq) continue;
    count++;
    const current = heads.get(row.incidentId);
    if (!current || BigInt(current.seq) < row.seq)
      heads.set(row.incidentId, { incidentId: row.incidentId, seq: row.seq.toString(), hash: row.hash });
  }
  return { heads: [...heads.values()], rows: count };
}

/**
 * Reads every chain head in one consistent view and signs it. SHARE MODE waits for appends in flight and holds new
 * ones for the few milliseconds of the read, so no row with a lower seq can commit after the checkpoint was taken
 * (a gap below lastSeq is then one no committed row will ever fill).
 */
export async function takeCheckpoint(db: PrismaClient, key: ChainKey, now = new Date()): Promise<Checkpoint> {
  const { heads, rows } = await db.$transaction(async (tx) => {
    await tx.$executeRawUnsafe('LOCK TABLE "AuditEvent" IN SHARE MODE');
    const heads = await tx.$queryRaw<{ incidentId: string | null; seq: bigint; hash: string }[]>`
      SELECT DISTINCT ON ("incidentId") "incidentId", seq, hash FROM "AuditEvent" ORDER BY "incidentId", seq DESC`;
    const [{ count }] = await tx.$queryRaw<[{ count: bigint }]>`SELECT count(*) AS count FROM "AuditEvent"`;
    return { heads, rows: Number(count) };
  });
  const chainHeads = heads
    .map((head) => ({ incidentId: head.incidentId, seq: head.seq.toString(), hash: head.hash }))
    .sort((a, b) => (BigInt(a.seq) < BigInt(b.seq) ? -1 : 1));
  const unsigned = {
    v: 1 as const,
    at: now.toISOString(),
    lastSeq: chainHeads.at(-1)?.seq ?? '0',
    rows,
    chains: chainHeads.length,
    digest: headsDigest(chainHeads),
    ...(key.currentId ? { kid: key.currentId } : {}),
  };
  return { ...unsigned, sig: key.sign(unsigned), heads: chainHeads };
}
