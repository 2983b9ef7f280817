import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { inTransaction, poolOf, withLiterals } from '../../src/store/db.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';

let database: TestDatabase;
before(async () => {
  database = await createTestDatabase();
});
after(async () => {
  await database.drop();
});

test('a connection the server ends mid-transaction fails that transaction only; the process and the pool go on', async () => {
  const pool = poolOf(database.db);
  await assert.rejects(
    inTransaction(pool, async (client) => {
      const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
      // Another connection ends this one, as a database restart or an administrator would. With a timeout the call
      // returns once the backend has exited (PostgreSQL 14+); without one it only signals it, and the next query
      // could still be answered before the backend dies.
      await pool.query('SELECT pg_terminate_backend($1, 5000)', [rows[0]?.pid]);
      await client.query('SELECT 1');
    }),
    /terminat|connection error/i, // pg says either, depending on whether the end was seen before the query
  );
  // The broken connection was not handed back: the next transaction gets a working one.
  const answer = await inTransaction(pool, (client) => client.query<{ one: number }>('SELECT 1 AS one'));
  assert.equal(answer.rows[0]?.one, 1);
});

test('statements sent with BEGIN: their values as literals come back as given, and their results reach the work', async () => {
  const pool = poolOf(database.db);
  const values = [`it's`, 'back\\slash', '$1 and $2', 'NUL-free ✓ "quoted"', null, 42];
  const opening = withLiterals(
    'SELECT $1::text AS a, $2::text AS b, $3::text AS c, $4::text AS d, $5::text AS e',
    values,
  );
  const seen = await inTransaction(
    pool,
    async (_client, _atCommit, opened) => {
      assert.equal(opened.length, 2);
      return [opened[0]?.rows[0], opened[1]?.rows[0]];
    },
    { opening: `${opening}; ${withLiterals('SELECT $6::int AS f', values)}` },
  );
  assert.deepEqual(seen, [
    { a: `it's`, b: 'back\\slash', c: '$1 and $2', d: 'NUL-free ✓ "quoted"', e: null },
    { f: 42 },
  ]);
  assert.throws(() => withLiterals('SELECT $3', ['only one']), /no value for \$3/);
});
