import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ChainKey } from '../../src/audit/chain-key.ts';
import { PostgresAuditLog } from '../../src/audit/postgres-audit-log.ts';
import { createDb } from '../../src/store/db.ts';
import { migrate } from '../../src/store/migrate.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';

let database: TestDatabase;
before(async () => {
  database = await createTestDatabase();
});
after(() => database.drop());

test('concurrent appends keep every chain linear and each row hashes its content', async () => {
  const key = new ChainKey('test-audit-key-0123456789abcdef0123456789');
  const audit = new PostgresAuditLog(database.db, key);
  const incident = await database.db.incident.create({
    data: { source: 'pagerduty', externalId: 'P-audit', title: 't', alert: {} },
  });
  await Promise.all(
    Array.from({ length: 20 }, (_, i) =>
      audit.record({
        actor: 'bot',
        action: 'tool.get_object',
        incidentId: i % 2 ? incident.id : undefined,
        details: { i, nested: { b: 1, a: [1, 'x'] } },
      }),
    ),
  );
  const rows = await database.db.auditEvent.findMany({ orderBy: { seq: 'asc' } });
  assert.equal(rows.length, 20);
  for (const chainId of [incident.id, null]) {
    const chain = rows.filter((row) => row.incidentId === chainId);
    assert.equal(chain.length, 10);
    let prev = key.genesis(chainId);
    for (const row of chain) {
      assert.equal(row.prevHash, prev, `seq ${row.seq} links to the previous row of its chain`);
      assert.equal(key.hash(row), row.hash);
      prev = row.hash;
    }
  }
});

test('AuditEvent refuses UPDATE and DELETE', async () => {
  await new PostgresAuditLog(database.db).record({ actor: 'bot', action: 'webhook.refused' });
  await assert.rejects(database.db.$executeRawUnsafe(`UPDATE "AuditEvent" SET actor = 'mallory'`), /append-only/);
  await assert.rejects(database.db.$executeRawUnsafe(`DELETE FROM "AuditEvent"`), /append-only/);
});

test('migrate records Prisma-format rows and is a no-op the second time', async () => {
  assert.deepEqual(await migrate(database.url), []);
  const rows = await database.db.$queryRawUnsafe<
    { migration_name: string; checksum: string; applied_steps_count: number }[]
  >('SELECT migration_name, checksum, applied_steps_count FROM "_prisma_migrations" ORDER BY migration_name');
  assert.ok(rows.length >= 2);
  assert.equal(rows[0]?.migration_name, '20261125000000_init');
  assert.match(rows[0]?.checksum ?? '', /^[0-9a-f]{64}$/);
  assert.equal(rows[0]?.applied_steps_count, 1);
});

test('two processes appending to many chains at once: every chain linear', async () => {
  const key = new ChainKey('test-audit-key-0123456789abcdef0123456789');
  // Two clients with their own pools, as the web and the worker process have.
  const other = createDb(database.url);
  const writers = [new PostgresAuditLog(database.db, key), new PostgresAuditLog(other, key)];
  try {
    const incidents = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        database.db.incident.create({
          data: { source: 'pagerduty', externalId: `P-many-${i}`, title: 't', alert: {} },
        }),
      ),
    );
    await Promise.all(
      Array.from({ length: 120 }, (_, i) => {
        const incidentId = incidents[i % incidents.length]!.id;
        // Each chain gets rows from both writers.
        const writer = writers[Math.floor(i / incidents.length) % 2]!;
        return writer.record({ actor: 'bot', action: 'tool.many', incidentId, details: { i } });
      }),
    );
    for (const incident of incidents) {
      const chain = await database.db.auditEvent.findMany({
        where: { incidentId: incident.id },
        orderBy: { seq: 'asc' },
      });
      assert.equal(chain.length, 20);
      let prev = key.genesis(incident.id);
      for (const row of chain) {
        assert.equal(row.prevHash, prev, `seq ${row.seq} links to the previous row of its chain`);
        assert.equal(key.hash(row), row.hash);
        prev = row.hash;
      }
    }
  } finally {
    await other.$disconnect();
  }
});
