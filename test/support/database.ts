import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { PrismaClient } from '../../src/generated/prisma/client.ts';
import { createDb } from '../../src/store/db.ts';
import { migrate } from '../../src/store/migrate.ts';

const ADMIN_URL = process.env.TEST_DATABASE_ADMIN_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';

export interface TestDatabase {
  name: string;
  url: string;
  db: PrismaClient;
  /** Disconnects Prisma and drops the database (with any connection still open to it). */
  drop(): Promise<void>;
}

async function admin<T>(run: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}

/** A fresh database with every migration applied, e.g. `ib_test_3f9a…`; call drop() in `after`. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `ib_test_${randomBytes(6).toString('hex')}`;
  await admin((client) => client.query(`CREATE DATABASE "${name}"`));
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  await migrate(url.toString());
  const db = createDb(url.toString());
  return {
    name,
    url: url.toString(),
    db,
    async drop() {
      await db.$disconnect();
      await admin((client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
    },
  };
}
