import pg from 'pg';
import type { Prisma, PrismaClient } from '../generated/prisma/client.ts';
import { unavailableDependency } from '../http/unavailable.ts';
import { storable } from '../redaction/policy.ts';
import { type AtCommit, inTwoRoundTrips, poolOf } from '../store/db.ts';
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
  /** A statement of the caller's (no parameters: values as literals), run after the rows in their transaction. */
  along?: string;
  /** Told the result of `along` once it is committed, before `done`. */
  answered?(result: pg.QueryResult): void;
  done(error?: unknown): void;
  /**
   * A record spanning the chains of several lanes, written by the first of them: it waits until each other lane has
   * reached its stop (written everything recorded there before it).
   */
  others?: Promise<void>[];
}

/**
 * Where a lane stops for a record another lane writes (one spanning the chains of both): once reached, the lane says
 * so and waits until that record is committed (or failed), so the rows of its chains keep the order they were
 * recorded in.
 */
interface Stop {
  reached(): void;
  written: Promise<void>;
}

/** One connection's queue: the chains keyed to it, appended in the order recorded, one write at a time. */
interface Lane {
  queue: (Waiting | Stop)[];
  writing: boolean;
}

const isStop = (item: Waiting | Stop): item is Stop => 'reached' in item;

/** Connections (lanes) the log appends on, unless told otherwise: each chain always on the same one. */
export const AUDIT_CONNECTIONS = 4;

/** The lane of a chain (an incident's, or the global one): a string hash of its id, the same in every process. */
export function laneOf(incidentId: string | null, lanes: number): number {
  const key = incidentId ?? '';
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) hash = Math.imul(hash ^ key.charCodeAt(i), 0x01000193);
  return (hash >>> 0) % lanes;
}

function prepare(received: AuditEntry): Prepared {
  // Rows can never be deleted: credentials are masked, and text Postgres refuses replaced, before the append.
  const entry = storable(received);
  // A JSON round trip drops undefined and turns Dates into strings, as jsonb will store them.
  return { entry, details: JSON.parse(JSON.stringify(entry.details ?? {})) as Prisma.InputJsonValue };
}

const incidentsOf = (chains: Map<string | null, Prepared[]>) =>
  [...chains.keys()].filter((chain): chain is string => chain !== null);

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

/** `count` new seqs, an array in one SQL expression (taken before the rows are hashed, so the hashes cover them). */
const newSeqs = (count: number) =>
  `ARRAY(SELECT nextval(pg_get_serial_sequence('"AuditEvent"', 'seq')) FROM generate_series(1, ${Math.trunc(count)}))`;

/** A text[] literal of `values`, each escaped as pg does (the chains' ids and lock keys go in as literals). */
const textArray = (values: string[]) =>
  values.length === 0 ? `'{}'::text[]` : `ARRAY[${values.map(pg.escapeLiteral).join(', ')}]::text[]`;

/** A SQL literal of a text value, escaped as pg does (values go into the statements as literals: see append). */
const literal = (value: string | null) => (value === null ? 'NULL' : pg.escapeLiteral(value));

/**
 * The first statement of every transaction that appends audit rows, before any other lock it takes. A checkpoint
 * takes SHARE MODE, which waits for this, so it never runs between a transaction taking its seqs and inserting its
 * rows (a row that would later read as inserted below the checkpoint). ROW EXCLUSIVE does not conflict with itself:
 * appends never wait for each other on it.
 */
export const HOLD_CHECKPOINTS = 'LOCK TABLE "AuditEvent" IN ROW EXCLUSIVE MODE';

/**
 * Checkpoints held back, the locks of the rows' chains, then the chains' heads and the rows' seqs: three statements, their values literals,
 * the read's snapshot taken after the locks are held so each head is the latest committed. The seqs are taken
 * before the hashes so the hashes cover them. A transaction that fails after this leaves a gap in the sequence that
 * no committed row fills: verify tells such gaps from deletions (src/audit/verify.ts).
 */
function lockAndRead(rows: Prepared[], incidents: string[], lockKeys: string[]): string {
  return `
    ${HOLD_CHECKPOINTS};
    SELECT pg_advisory_xact_lock(lock)
    FROM (SELECT DISTINCT hashtext(key) AS lock FROM unnest(${textArray(lockKeys)}) AS key ORDER BY lock) AS locks;
    SELECT
      ${newSeqs(rows.length)} AS "seqs",
      ARRAY(SELECT (SELECT "hash" FROM "AuditEvent" WHERE "incidentId" = chain.id ORDER BY "seq" DESC LIMIT 1)
            FROM unnest(${textArray(incidents)}) WITH ORDINALITY AS chain(id, position)
            ORDER BY chain.position) AS "heads",
      (SELECT "hash" FROM "AuditEvent" WHERE "incidentId" IS NULL ORDER BY "seq" DESC LIMIT 1) AS "global"`;
}

/** What lockAndRead answers: the seqs taken, each chain's head (in the order of its incidents), the global head. */
interface Heads {
  seqs: string[];
  heads: (string | null)[];
  global: string | null;
}
type HeadsRead = pg.QueryResult<Heads>;
const headsOf = (read: HeadsRead): Heads => read.rows[0] as Heads;

/** A row as stored: its content, where it links, and its hash. */
type ChainedRow = AuditContent & { prevHash: string; keyId: string | null; hash: string };

/**
 * The INSERT of the rows, one statement whatever their number, its values literals so that it can go in the same
 * message as the COMMIT. `at` is stored as Prisma stores a DateTime: UTC, to the millisecond (the hash covers it so).
 */
function insertRows(rows: ChainedRow[]): string {
  const values = rows.map(
    (row) =>
      `(${row.seq}, ${literal(row.at.toISOString())}::timestamptz AT TIME ZONE 'UTC', ${literal(row.incidentId)}, ` +
      `${literal(row.actor)}, ${literal(row.action)}, ${literal(row.target)}, ${literal(row.justification)}, ` +
      `${literal(JSON.stringify(row.details))}::jsonb, ${literal(row.prevHash)}, ${literal(row.hash)}, ${literal(row.keyId)})`,
  );
  return `INSERT INTO "AuditEvent"
    ("seq", "at", "incidentId", "actor", "action", "target", "justification", "details", "prevHash", "hash", "keyId")
    VALUES ${values.join(',\n')}`;
}

/**
 * Hash-chained, append-only audit rows: one chain per incident, one global chain for events without an
 * incident, each row's hash an HMAC under a key held outside the database (src/audit/chain-key.ts).
 * Appends to a chain are serialised by a transaction-scoped advisory lock per chain, so concurrent writers (web
 * and worker pods) keep each chain linear; a transaction takes its chains' locks in one order, so two cannot wait
 * on each other.
 *
 * Within a process, appends go through a few connections of the log's own (lanes, `connections`), each chain always
 * through the same one (laneOf its incident's id): one incident's rows are appended in the order recorded, while
 * other incidents' go on in parallel on the other lanes, none waiting behind another's write (a commit's flush, a
 * chain lock another process holds). On each lane, what is recorded while a write is running goes into the next write,
 * whatever its chain (group commit): a worker's concurrent investigations and their parallel tool calls share
 * transactions instead of each row taking its own (pg directly: Prisma's per-statement overhead was most of a write's
 * cost). Each `record` still resolves only once its rows are committed, in one transaction: a record spanning chains
 * of several lanes is written by the first, once the others have written what was recorded on them before it, and
 * they write nothing more until it is committed.
 */
export class PostgresAuditLog implements TransactionalAuditLog {
  private readonly lanes: Lane[];
  /**
   * The lanes' own connections: they never queue behind the requests holding the shared pool's connections (a burst
   * of webhooks), and one lane has one write running at a time, so each has a connection whenever it writes. They do
   * not keep the process alive once idle, and stay open if the shared pool's do.
   */
  private readonly connections: pg.Pool;

  constructor(
    private readonly db: PrismaClient,
    private readonly key: ChainKey = new ChainKey(),
    connections = AUDIT_CONNECTIONS,
  ) {
    const lanes = Math.max(1, Math.trunc(connections));
    this.lanes = Array.from({ length: lanes }, () => ({ queue: [], writing: false }));
    this.connections = new pg.Pool({
      ...poolOf(db).options,
      max: lanes,
      min: Math.min(lanes, poolOf(db).options.min ?? 0),
      allowExitOnIdle: true,
    });
    // A connection the server closed while idle is replaced by the next write: never an uncaught error.
    this.connections.on('error', () => undefined);
  }

  record(...entries: AuditEntry[]): Promise<void> {
    if (entries.length === 0) return Promise.resolve();
    const rows = entries.map(prepare);
    const lanes = [...new Set(rows.map((row) => laneOf(row.entry.incidentId ?? null, this.lanes.length)))].sort(
      (a, b) => a - b,
    );
    return new Promise((resolve, reject) => {
      const done = (error?: unknown) => (error === undefined ? resolve() : reject(error));
      const [first, ...others] = lanes as [number, ...number[]];
      if (others.length === 0) return this.enqueue(first, { rows, done });
      // Queued on every lane at once, so any two such records are in the same order on every lane they share.
      let written!: () => void;
      const stops = new Promise<void>((settle) => {
        written = settle;
      });
      const reached = others.map(
        (lane) => new Promise<void>((settle) => this.enqueue(lane, { reached: settle, written: stops })),
      );
      this.enqueue(first, {
        rows,
        others: reached,
        done: (error?: unknown) => {
          written();
          done(error);
        },
      });
    });
  }

  /**
   * The entries of one chain appended as `record` does, with `statement` run in the same transaction after their
   * INSERT: the change and its audit rows commit together, in one write instead of two (e.g. a posted message's ts,
   * src/slack/visible-state.ts), grouped with the lane's other rows like any record.
   */
  recordAlong(db: PrismaClient, statement: string, entries: AuditEntry[]): Promise<pg.QueryResult> | undefined {
    if (db !== this.db) return undefined;
    const rows = entries.map(prepare);
    const lanes = new Set(rows.map((row) => laneOf(row.entry.incidentId ?? null, this.lanes.length)));
    if (lanes.size !== 1) throw new Error('recordAlong: the entries of one lane');
    return new Promise((resolve, reject) => {
      let answer: pg.QueryResult | undefined;
      this.enqueue([...lanes][0]!, {
        rows,
        along: statement,
        answered: (result) => {
          answer = result;
        },
        done: (error?: unknown) => (error === undefined ? resolve(answer!) : reject(error)),
      });
    });
  }

  private enqueue(index: number, item: Waiting | Stop): void {
    const lane = this.lanes[index]!;
    lane.queue.push(item);
    if (!lane.writing) void this.drain(lane);
  }

  recordIn(tx: pg.ClientBase, entries: AuditEntry[], atCommit?: AtCommit): Promise<void> {
    return this.append(tx, entries.map(prepare), atCommit);
  }

  seqsFor(count: number): string {
    return newSeqs(count);
  }

  startChain(entries: AuditEntry[], seqs: string[], atCommit: AtCommit): void {
    const rows = entries.map(prepare);
    const chains = byChain(rows);
    const [incidentId, ...others] = incidentsOf(chains);
    if (!incidentId || others.length > 0 || chains.has(null) || seqs.length !== rows.length)
      throw new Error('startChain: the rows of one new incident, one seq each');
    atCommit(insertRows(this.chained(chains, { seqs, heads: [null], global: null })));
  }

  /**
   * Writes what is waiting on `lane`, a batch per transaction, until nothing is. A batch ends before a stop or a record
   * spanning other lanes; at a stop the lane waits for the record another lane writes, and a spanning record is
   * written alone once the other lanes have reached their stops.
   */
  private async drain(lane: Lane): Promise<void> {
    lane.writing = true;
    const { queue } = lane;
    while (queue.length > 0) {
      const head = queue.shift()!;
      if (isStop(head)) {
        head.reached();
        await head.written;
        continue;
      }
      const batch: Waiting[] = [head];
      let rows = head.rows.length;
      if (head.others) await Promise.all(head.others);
      else {
        for (let next = queue[0]; next && !isStop(next) && !next.others; next = queue[0]) {
          if (rows + next.rows.length > MAX_ROWS_PER_WRITE) break;
          batch.push(next);
          rows += next.rows.length;
          queue.shift();
        }
      }
      try {
        await this.write(batch);
        for (const one of batch) one.done();
      } catch (error) {
        // Postgres down or out of connections fails every caller at once, rather than each after its own wait.
        if (batch.length === 1 || unavailableDependency(error)) for (const one of batch) one.done(error);
        // One caller's bad entry must not fail the others: each is written on its own.
        else for (const one of batch) await this.write([one]).then(() => one.done(), one.done);
      }
    }
    lane.writing = false;
  }

  /**
   * In two round trips: BEGIN with the locks and the read, then the INSERT (and the callers' statements along, each
   * told its result) with the COMMIT.
   */
  private async write(batch: Waiting[]): Promise<void> {
    const rows = batch.flatMap((one) => one.rows);
    const chains = byChain(rows);
    const along = batch.filter((one) => one.along !== undefined);
    const closed = await inTwoRoundTrips(this.connections, this.lockAndRead(chains, rows), (read) =>
      [insertRows(this.chained(chains, headsOf(read.at(-1) as HeadsRead))), ...along.map((one) => one.along)].join(
        ';\n',
      ),
    );
    for (const [index, one] of along.entries()) one.answered?.(closed[index + 1]!);
  }

  /**
   * In the caller's transaction: the locks with the read, then the INSERT of every row, sent at once or with the
   * COMMIT (`atCommit`: the locks are held to the end either way, so the heads read stay the heads).
   */
  private async append(tx: pg.ClientBase, rows: Prepared[], atCommit?: AtCommit): Promise<void> {
    if (rows.length === 0) return;
    const chains = byChain(rows);
    const read = (await tx.query(this.lockAndRead(chains, rows))) as unknown as pg.QueryResult[];
    const insert = insertRows(this.chained(chains, headsOf(read.at(-1) as HeadsRead)));
    if (atCommit) atCommit(insert);
    else await tx.query(insert);
  }

  private lockAndRead(chains: Map<string | null, Prepared[]>, rows: Prepared[]): string {
    return lockAndRead(rows, incidentsOf(chains), [...chains.keys()].map(chainLockKey));
  }

  /** Each chain's rows linked onto its head, in the order given, each hashed under the newest key. */
  private chained(chains: Map<string | null, Prepared[]>, read: Heads): ChainedRow[] {
    const incidents = incidentsOf(chains);
    const { seqs: seqTexts, heads: headList, global } = read;
    const heads = new Map<string | null, string | null>(incidents.map((id, index) => [id, headList[index] ?? null]));
    heads.set(null, global);
    const seqs = seqTexts.map(BigInt).sort(ascending);
    const at = new Date();
    return [...chains].flatMap(([incidentId, chainRows]) => {
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
        const row = { ...content, prevHash, keyId, hash };
        prevHash = hash;
        return row;
      });
    });
  }
}
