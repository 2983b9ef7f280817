import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { inTransaction, poolOf } from '../../src/store/db.ts';
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
