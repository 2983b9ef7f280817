import type { AuditEvent } from '../generated/prisma/client.ts';
import type { ChainKey } from './chain-key.ts';
import { type ChainHead, type Checkpoint, headsAsOf, headsDigest, signedPart } from './checkpoint.ts';

export interface ChainProblem {
  /** The row at fault, by seq; for a deletion, the seq that is missing. */
  seq: string;
  incidentId: string | null;
  kind: 'edited' | 'deleted' | 'relinked' | 'truncated' | 'inserted' | 'checkpoint' | 'unknown-key';
  message: string;
}

export interface VerifyReport {
  ok: boolean;
  rows: number;
  chains: number;
  problems: ChainProblem[];
  /** Missing seqs that no committed row ever held (a transaction rolled back after taking its seq). */
  unfilledGaps: string[];
  /** The checkpoint the table was compared with, if any; `heads`: whether its list of chain heads was there to compare. */
  checkpoint: { at: string; lastSeq: string; heads: boolean } | null;
  /** Rows newer than that checkpoint: protected by the chain, not yet against deletion of a chain's tail. */
  uncoveredRows: number;
  /** Rows per signing key id (`null`: from before key ids). */
  keys: Map<string | null, number>;
}

export interface VerifyOptions {
  /** Every seq in the table, when `rows` are only some chains (an export), so gaps are judged on the whole table. */
  presentSeqs?: Set<bigint>;
  /** The newest checkpoint read back from the sink outside Postgres. */
  checkpoint?: Checkpoint | null;
  /**
   * `rows` are these chains only (one incident's page or export): the checkpoint is compared on their heads alone,
   * not on its digest and count of the whole table.
   */
  onlyChains?: (string | null)[];
}

const chainName = (incidentId: string | null) => (incidentId ? `incident ${incidentId}` : 'the global chain');
const bySeq = (a: bigint, b: bigint) => (a < b ? -1 : a > b ? 1 : 0);

function missingBetween(present: Set<bigint>, from: bigint, to: bigint): bigint[] {
  const missing: bigint[] = [];
  for (let seq = from + 1n; seq < to; seq++) if (!present.has(seq)) missing.push(seq);
  return missing;
}

/**
 * Recomputes every chain (one per incident, one for events without an incident) under the chain key and compares
 * the table with the newest checkpoint written outside Postgres. Names each row that was edited or deleted:
 * - a row whose stored hash is not the HMAC of its content (seq included) was edited — without the key, nobody
 *   can recompute a hash that hides it;
 * - a row whose prevHash is not the previous row's hash follows a deletion (the missing seqs are named) or was
 *   re-linked;
 * - a chain head the checkpoint saw and the table no longer has is a deleted tail (the newest rows, even with the
 *   sequence reset), a head the checkpoint did not see below its seq is an insertion.
 * A missing seq that breaks no chain and that the checkpoint accounts for is a sequence gap no committed row ever
 * filled (a rolled-back insert): reported as such, not as a deletion.
 */
export function verifyChains(rows: AuditEvent[], key: ChainKey, options: VerifyOptions = {}): VerifyReport {
  const sorted = [...rows].sort((a, b) => bySeq(a.seq, b.seq));
  const present = options.presentSeqs ?? new Set(sorted.map((row) => row.seq));
  const problems: ChainProblem[] = [];
  const reported = new Set<string>();
  const report = (problem: ChainProblem) => {
    const id = `${problem.kind}:${problem.seq}`;
    if (!reported.has(id)) problems.push(problem);
    reported.add(id);
  };
  const deleted = new Set<bigint>();

  const chains = new Map<string | null, AuditEvent[]>();
  for (const row of sorted) chains.set(row.incidentId, [...(chains.get(row.incidentId) ?? []), row]);

  const keys = new Map<string | null, number>();
  for (const row of sorted) keys.set(row.keyId, (keys.get(row.keyId) ?? 0) + 1);

  for (const [incidentId, chain] of chains) {
    let previous: AuditEvent | null = null;
    for (const row of chain) {
      const seq = row.seq.toString();
      if (!key.holds(row.keyId)) {
        // Signed with a key that was dropped from the ring (or a key id written by someone without the keys).
        report({
          seq,
          incidentId,
          kind: 'unknown-key',
          message: `seq ${seq} (${chainName(incidentId)}) names key "${row.keyId}", which is not among the keys given (AUDIT_HMAC_KEYS): it cannot be verified`,
        });
        previous = row;
        continue;
      }
      if (key.hash(row) !== row.hash) {
        report({
          seq,
          incidentId,
          kind: 'edited',
          message: `seq ${seq} (${chainName(incidentId)}): content does not match its keyed hash — the row was edited`,
        });
      }
      const expectedPrev = previous ? previous.hash : key.genesis(incidentId, row.keyId);
      if (row.prevHash !== expectedPrev) {
        const gap = previous ? missingBetween(present, previous.seq, row.seq) : [];
        for (const missing of gap) {
          deleted.add(missing);
          report({
            seq: missing.toString(),
            incidentId,
            kind: 'deleted',
            message: `seq ${missing} is missing and the chain of ${chainName(incidentId)} breaks across it at seq ${seq} — a row was deleted`,
          });
        }
        if (gap.length === 0) {
          const where = previous ? `does not follow seq ${previous.seq}` : 'does not start the chain';
          report({
            seq,
            incidentId,
            kind: 'relinked',
            message: `seq ${seq} (${chainName(incidentId)}): prevHash ${where} — a row before it was deleted or its hash rewritten`,
          });
        }
      }
      previous = row;
    }
  }

  const checkpoint = options.checkpoint ?? null;
  const checkpointProblems = checkpoint
    ? compareWithCheckpoint(sorted, checkpoint, key, deleted.size > 0, options.onlyChains)
    : [];
  for (const problem of checkpointProblems) report(problem);

  // A missing seq is a gap no committed row filled when no chain breaks across it and the checkpoint (taken with
  // appends held) agrees with the table; below a checkpoint the table no longer matches, nothing is vouched for.
  const last = sorted.at(-1)?.seq ?? 0n;
  const vouchedAbove = checkpointProblems.length > 0 ? BigInt(checkpoint?.lastSeq ?? 0) : 0n;
  const unfilledGaps = options.presentSeqs
    ? []
    : missingBetween(present, vouchedAbove, last + 1n)
        .filter((seq) => !deleted.has(seq))
        .map(String);

  problems.sort((a, b) => bySeq(BigInt(a.seq), BigInt(b.seq)));
  return {
    ok: problems.length === 0,
    rows: rows.length,
    chains: chains.size,
    problems,
    unfilledGaps,
    checkpoint: checkpoint
      ? { at: checkpoint.at, lastSeq: checkpoint.lastSeq, heads: Boolean(checkpoint.heads) || !options.onlyChains }
      : null,
    uncoveredRows: checkpoint ? sorted.filter((row) => row.seq > BigInt(checkpoint.lastSeq)).length : rows.length,
    keys,
  };
}

/** What the table no longer agrees with in the checkpoint: deleted tails, replaced heads, later insertions. */
function compareWithCheckpoint(
  sorted: AuditEvent[],
  checkpoint: Checkpoint,
  key: ChainKey,
  deletionsFound: boolean,
  onlyChains?: (string | null)[],
): ChainProblem[] {
  const when = `the checkpoint of ${checkpoint.at}`;
  if (!key.verifySignature(signedPart(checkpoint), checkpoint.sig)) {
    return [
      {
        seq: checkpoint.lastSeq,
        incidentId: null,
        kind: 'checkpoint',
        message: key.holds(checkpoint.kid)
          ? `${when} does not carry a valid signature under ${checkpoint.kid ? `key "${checkpoint.kid}"` : 'the key it was signed with'} — forged, or verified with the wrong AUDIT_HMAC_KEYS / AUDIT_HMAC_KEY`
          : `${when} is signed with key "${checkpoint.kid}", which is not among the keys given (AUDIT_HMAC_KEYS)`,
      },
    ];
  }
  const now = headsAsOf(sorted, BigInt(checkpoint.lastSeq));
  if (onlyChains) {
    // Some chains only: their heads are compared one by one; without the heads list nothing more can be said here.
    const shown = new Set(onlyChains);
    return checkpoint.heads
      ? compareHeads(
          sorted,
          now.heads,
          checkpoint.heads.filter((head) => shown.has(head.incidentId)),
          checkpoint,
        )
      : [];
  }
  if (now.rows === checkpoint.rows && headsDigest(now.heads) === checkpoint.digest) return [];
  const found = checkpoint.heads ? compareHeads(sorted, now.heads, checkpoint.heads, checkpoint) : [];
  // Rows deleted inside a chain change the count too; they are already named by seq.
  if (found.length === 0 && !deletionsFound) {
    found.push({
      seq: checkpoint.lastSeq,
      incidentId: null,
      kind: 'truncated',
      message: `up to seq ${checkpoint.lastSeq} the table holds ${now.rows} rows in ${now.heads.length} chain(s); ${when} counted ${checkpoint.rows} in ${checkpoint.chains} with other chain heads — rows were deleted`,
    });
  }
  return found;
}

/** Each head the checkpoint saw against the table: gone (a deleted tail), replaced, or a newer head inserted below it. */
function compareHeads(
  sorted: AuditEvent[],
  headsNow: ChainHead[],
  headsThen: ChainHead[],
  checkpoint: Checkpoint,
): ChainProblem[] {
  const when = `the checkpoint of ${checkpoint.at}`;
  const found: ChainProblem[] = [];
  const rowsBySeq = new Map(sorted.map((row) => [row.seq.toString(), row]));
  const seen = new Map(headsThen.map((head) => [head.incidentId, head]));
  for (const head of headsThen) {
    const row = rowsBySeq.get(head.seq);
    if (!row) {
      found.push({
        seq: head.seq,
        incidentId: head.incidentId,
        kind: 'truncated',
        message: `seq ${head.seq}, the newest row of ${chainName(head.incidentId)} at ${when}, is gone — the chain's tail was deleted`,
      });
    } else if (row.hash !== head.hash || row.incidentId !== head.incidentId) {
      found.push({
        seq: head.seq,
        incidentId: head.incidentId,
        kind: 'edited',
        message: `seq ${head.seq} is not the row ${when} saw as the head of ${chainName(head.incidentId)}`,
      });
    }
  }
  for (const head of headsNow) {
    const then = seen.get(head.incidentId);
    if (!then || BigInt(then.seq) < BigInt(head.seq)) {
      found.push({
        seq: head.seq,
        incidentId: head.incidentId,
        kind: 'inserted',
        message: `seq ${head.seq} (${chainName(head.incidentId)}) is below ${when}'s last seq ${checkpoint.lastSeq} but was not in it — inserted afterwards`,
      });
    }
  }
  return found;
}
