import type { AuditEvent } from '../generated/prisma/client.ts';

/** How the chain was built: the writer's own hash function and the value a chain starts from. */
export interface ChainRules {
  hash(row: AuditEvent): string;
  genesis(incidentId: string | null): string;
}

export interface ChainProblem {
  /** The row at fault, by seq; for a deletion, the seq that is missing (or the row after the gap). */
  seq: string;
  incidentId: string | null;
  kind: 'edited' | 'deleted' | 'relinked';
  message: string;
}

export interface VerifyReport {
  ok: boolean;
  rows: number;
  chains: number;
  problems: ChainProblem[];
}

const chainName = (incidentId: string | null) => (incidentId ? `incident ${incidentId}` : 'the global chain');

function missingBetween(present: Set<bigint>, from: bigint, to: bigint): bigint[] {
  const missing: bigint[] = [];
  for (let seq = from + 1n; seq < to; seq++) if (!present.has(seq)) missing.push(seq);
  return missing;
}

export interface VerifyOptions {
  /** The last seq the table's sequence handed out, so that deleting the newest rows shows too. */
  lastIssuedSeq?: bigint;
  /** Every seq in the table, when `rows` are only some chains (an export), so gaps are judged on the whole table. */
  presentSeqs?: Set<bigint>;
}

/**
 * Recomputes every chain (one per incident, one for events without an incident) and names each row
 * that was edited or deleted:
 * - a row whose stored hash is not the hash of its content was edited;
 * - a row whose prevHash is not the previous row's hash follows a deletion (the missing seqs are
 *   named) or was re-linked by someone who rewrote hashes;
 * - seqs missing from the table (including after the last row, up to `lastIssuedSeq`) are deletions:
 *   the log is append-only, so the sequence has no other reason to skip.
 */
export function verifyChains(rows: AuditEvent[], rules: ChainRules, options: VerifyOptions = {}): VerifyReport {
  const sorted = [...rows].sort((a, b) => (a.seq < b.seq ? -1 : a.seq > b.seq ? 1 : 0));
  const present = options.presentSeqs ?? new Set(sorted.map((row) => row.seq));
  const { lastIssuedSeq } = options;
  const problems: ChainProblem[] = [];
  const reported = new Set<string>();
  const report = (problem: ChainProblem) => {
    const id = `${problem.kind}:${problem.seq}`;
    if (!reported.has(id)) problems.push(problem);
    reported.add(id);
  };

  const chains = new Map<string | null, AuditEvent[]>();
  for (const row of sorted) chains.set(row.incidentId, [...(chains.get(row.incidentId) ?? []), row]);

  for (const [incidentId, chain] of chains) {
    let previous: AuditEvent | null = null;
    for (const row of chain) {
      const seq = row.seq.toString();
      if (rules.hash(row) !== row.hash) {
        report({
          seq,
          incidentId,
          kind: 'edited',
          message: `seq ${seq} (${chainName(incidentId)}): content does not match its hash — the row was edited`,
        });
      }
      const expectedPrev = previous ? previous.hash : rules.genesis(incidentId);
      if (row.prevHash !== expectedPrev) {
        const gap = previous ? missingBetween(present, previous.seq, row.seq) : [];
        if (gap.length > 0) {
          for (const missing of gap) {
            report({
              seq: missing.toString(),
              incidentId,
              kind: 'deleted',
              message: `seq ${missing} is missing — the row was deleted (the chain of ${chainName(incidentId)} breaks at seq ${seq})`,
            });
          }
        } else {
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

  const last = sorted.at(-1)?.seq ?? 0n;
  const upper = lastIssuedSeq !== undefined && lastIssuedSeq > last ? lastIssuedSeq + 1n : last;
  for (const missing of options.presentSeqs ? [] : missingBetween(present, 0n, upper)) {
    report({
      seq: missing.toString(),
      incidentId: null,
      kind: 'deleted',
      message: `seq ${missing} is missing — the row was deleted`,
    });
  }

  problems.sort((a, b) => (BigInt(a.seq) < BigInt(b.seq) ? -1 : 1));
  return { ok: problems.length === 0, rows: rows.length, chains: chains.size, problems };
}
