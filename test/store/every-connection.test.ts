import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import pg from 'pg';
import type { PrismaClient } from '../../src/generated/prisma/client.ts';
import { createDb, openConnections, planOnEveryConnection, poolOf } from '../../src/store/db.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';

// A process at start opens (openConnections) and warms (planOnEveryConnection) every connection of its pool. Postgres
// may refuse some of them (max_connections, a role's CONNECTION LIMIT): the call fails, and the connections it did
// get are handed back to the pool, not left checked out for the life of the process.

const ROLE = `ib_limited_${randomBytes(4).toString('hex')}`;
let database: TestDatabase;
let limited: PrismaClient;

/** Roles belong to the server, not to one database: made and dropped as the test database's owner. */
async function asAdmin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

before(async () => {
  database = await createTestDatabase();
  // A role Postgres lets open 2 connections, behind a pool of 4.
  await asAdmin(`CREATE ROLE ${ROLE} LOGIN PASSWORD '${ROLE}' CONNECTION LIMIT 2`);
  const url = new URL(database.url);
  url.username = ROLE;
  url.password = ROLE;
  limited = createDb(url.toString(), 4);
});

after(async () => {
  await limited.$disconnect();
  await asAdmin(`DROP ROLE IF EXISTS ${ROLE}`);
  await database.drop();
});

const checkedOut = (pool: pg.Pool) => pool.totalCount - pool.idleCount;

for (const [name, onEvery] of [
  ['planOnEveryConnection', (db: PrismaClient) => planOnEveryConnection(db, ['SELECT 1'])],
  ['openConnections', openConnections],
] as const) {
  test(`${name}: connections refused fail it, and those opened are handed back`, async () => {
    const pool = poolOf(limited);
    await assert.rejects(onEvery(limited), /too many connections for role/);
    assert.equal(checkedOut(pool), 0, 'connections left checked out');
    // The pool still serves: as many at once as Postgres lets the role have.
    const answers = await Promise.all([pool.query('SELECT 1 AS one'), pool.query('SELECT 1 AS one')]);
    assert.deepEqual(
      answers.map((answer) => answer.rows[0]?.one),
      [1, 1],
    );
  });
}
