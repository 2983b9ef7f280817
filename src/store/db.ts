import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { PrismaClient } from '../generated/prisma/client.ts';

const pools = new WeakMap<PrismaClient, pg.Pool>();

/**
 * Prisma through the pure-JS pg adapter: no engine binary, one pool per process (`poolSize` connections, pg's 10 if
 * unset). The pool is also reachable on its own (poolOf, inTransaction) for the hot paths. `keepOpen` (a long-running
 * process): connections stay open once made, as Prisma's own engine kept them; pg closes one idle for 10 s, and the
 * next burst would wait for Postgres to start a backend per connection again.
 */
export function createDb(connectionString: string, poolSize = 10, { keepOpen = false } = {}): PrismaClient {
  const pool = new pg.Pool({ connectionString, max: poolSize, ...(keepOpen ? { min: poolSize } : {}) });
  // An idle connection the server closed is only dropped (the next query opens another): never an uncaught error.
  pool.on('error', () => undefined);
  const db = new PrismaClient({ adapter: new PrismaPg(pool, { disposeExternalPool: true }) });
  pools.set(db, pool);
  return db;
}

/** The pg pool under a client made by createDb: the same connections, without Prisma in between. */
export function poolOf(db: PrismaClient): pg.Pool {
  const pool = pools.get(db);
  if (!pool) throw new Error('poolOf: this Prisma client was not made by createDb');
  return pool;
}

/**
 * Opens every connection of the pool now (a process at start, before it says it is ready): the first burst of
 * requests then does not queue behind Postgres starting a backend per connection. Rejects if any could not be opened
 * (those that were stay in the pool).
 */
export function openConnections(db: PrismaClient): Promise<void> {
  return onEveryConnection(db, async () => undefined);
}

/**
 * Plans `statements` (EXPLAIN: planned, never run) on every connection of the pool at once. A fresh Postgres backend
 * loads the catalog entries of the tables, indexes, types and functions a statement uses while planning it the first
 * time (about 2 ms of Postgres CPU, measured on the intake's two statements: 3.4 ms on a fresh backend, 1.9 ms after
 * this, 1.3 ms after a first real run): paid here, not by the first requests of a burst on each connection.
 */
export function planOnEveryConnection(db: PrismaClient, statements: string[]): Promise<void> {
  const explain = statements.map((statement) => `EXPLAIN ${statement}`).join(';\n');
  return onEveryConnection(db, (client) => client.query(explain));
}

/**
 * `work` on every connection of the pool at once, each opened if it is not. Every one opened is handed back, whatever
 * failed: one connection refused (Postgres at max_connections) must not leave the others checked out for good, a
 * pool short of them for the life of the process. Rejects with the first failure, once all are back.
 */
async function onEveryConnection(db: PrismaClient, work: (client: pg.PoolClient) => Promise<unknown>): Promise<void> {
  const pool = poolOf(db);
  const connected = await Promise.allSettled(Array.from({ length: pool.options.max }, () => pool.connect()));
  const clients = connected.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
  try {
    const worked = await Promise.allSettled(clients.map(work));
    const failed = [...connected, ...worked].find((result) => result.status === 'rejected');
    if (failed) throw failed.reason;
  } finally {
    for (const client of clients) client.release();
  }
}

/** Statements without parameters that `work` leaves for the end of its transaction: sent with the COMMIT, in order. */
export type AtCommit = (sql: string) => void;

export interface TransactionOptions {
  /** Each statement may wait this long at most (a lock held by a stuck transaction), as Prisma's timeout allowed. */
  timeoutMs?: number;
  /**
   * Statements without parameters (values as literals) sent with the BEGIN, in its round trip; `work` gets their
   * results. The hot paths open with what they write first, so a transaction costs two round trips, not three.
   */
  opening?: string;
}

/**
 * Runs `work` in one transaction on a connection of `pool`, with pg directly: for the hot paths where Prisma's
 * per-statement overhead is most of the cost (a webhook's intake, the audit trail's appends). Rolled back if `work`
 * throws, or if a statement it left for the COMMIT fails (Postgres runs none of a message's statements after one
 * that failed).
 */
export async function inTransaction<T>(
  pool: pg.Pool,
  work: (client: pg.PoolClient, atCommit: AtCommit, opened: pg.QueryResult[]) => Promise<T>,
  options: TransactionOptions = {},
): Promise<T> {
  return (await transaction(pool, work, options)).result;
}

/** inTransaction, also answering the results of the statements left for the COMMIT (in order, COMMIT's not among them). */
function transaction<T>(
  pool: pg.Pool,
  work: (client: pg.PoolClient, atCommit: AtCommit, opened: pg.QueryResult[]) => Promise<T>,
  { timeoutMs = 15_000, opening }: TransactionOptions,
): Promise<{ result: T; closed: pg.QueryResult[] }> {
  return onConnection(pool, async (client) => {
    // A message of several statements answers with one result per statement: BEGIN's and SET's come first.
    const began = (await client.query(opening ? `${begin(timeoutMs)}; ${opening}` : begin(timeoutMs))) as unknown;
    const opened = opening ? (began as pg.QueryResult[]).slice(2) : [];
    const last: string[] = [];
    const result = await work(client, (sql) => last.push(sql), opened);
    const answered = (await client.query([...last, 'COMMIT'].join(';\n'))) as unknown;
    // One statement answers with one result, several with an array of them (the COMMIT's last).
    const closed = last.length === 0 ? [] : (answered as pg.QueryResult[]).slice(0, -1);
    return { result, closed };
  });
}

/**
 * A transaction in two round trips, for one that reads then writes what it read decides: `opening` (statements
 * without parameters) is sent with BEGIN, and the statements `closing` makes of their results are sent with COMMIT.
 * Rolled back if either fails (Postgres runs none of a message's statements after one that failed). Resolves, once
 * committed, with the results of `closing`'s statements, one per statement, in order.
 */
export async function inTwoRoundTrips(
  pool: pg.Pool,
  opening: string,
  closing: (results: pg.QueryResult[]) => string,
  timeoutMs = 15_000,
): Promise<pg.QueryResult[]> {
  const { closed } = await transaction(pool, async (_client, atCommit, opened) => atCommit(closing(opened)), {
    timeoutMs,
    opening,
  });
  return closed;
}

/** A value as an SQL literal, escaped as pg does: NULL, a number, or quoted text. */
export function sqlLiteral(value: string | number | null): string {
  if (value === null) return 'NULL';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error(`not a finite number: ${value}`);
    return String(value);
  }
  return pg.escapeLiteral(value);
}

/**
 * `text` with each of its parameters $1…$n replaced by the literal of `values[n - 1]`: a statement with values that
 * can travel in a message of several (the extended protocol, which carries parameters, takes one statement).
 * `text` is ours, never input: its only `$` are its parameters.
 */
export function withLiterals(text: string, values: (string | number | null)[]): string {
  return text.replace(/\$(\d+)/g, (_match, index: string) => {
    const position = Number(index) - 1;
    if (position < 0 || position >= values.length) throw new Error(`no value for $${index}`);
    return sqlLiteral(values[position] ?? null);
  });
}

const begin = (timeoutMs: number) => `BEGIN; SET LOCAL statement_timeout = ${Math.round(timeoutMs)}`;

/** `run` (which begins and commits) on a connection of `pool`; rolled back if it throws. */
async function onConnection<T>(pool: pg.Pool, run: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  // A checked-out client is no longer watched by the pool: a connection the server ends mid-transaction (a restart,
  // pg_terminate_backend) emits 'error' here, which unheard would crash the process; the failing query rejects anyway.
  const onError = (error: Error) => {
    broken = error;
  };
  client.on('error', onError);
  try {
    return await run(client);
  } catch (error) {
    await client.query('ROLLBACK').catch((rollbackFailed: Error) => {
      broken = rollbackFailed;
    });
    throw error;
  } finally {
    // A connection that could not even roll back, or that the server ended, is closed, not handed to the next caller.
    client.removeListener('error', onError);
    client.release(broken);
  }
}
