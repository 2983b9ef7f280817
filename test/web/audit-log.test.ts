import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import pg from 'pg';
import { ChainKey } from '../../src/audit/chain-key.ts';
import { AUDIT_CONNECTIONS, laneOf, PostgresAuditLog } from '../../src/audit/postgres-audit-log.ts';
import { createDb } from '../../src/store/db.ts';
import { migrate } from '../../src/store/migrate.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';

let database: TestDatabase;
before(async () => {
  database = await createTestDatabase();
});
after(() => database.drop());

type AuditRow = Awaited<ReturnType<TestDatabase['db']['auditEvent']['findMany']>>[number];

/**
 * Each row of the chain links to the one before it, the first to `prev` (the chain's genesis; undefined when rows of
 * other tests may precede it), and hashes its own content.
 */
function assertLinked(key: ChainKey, chain: AuditRow[], prev: string | undefined): void {
  for (const row of chain) {
    if (prev !== undefined) assert.equal(row.prevHash, prev, `seq ${row.seq} links to the previous row of its chain`);
    assert.equal(key.hash(row), row.hash);
    prev = row.hash;
  }
}

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
    assertLinked(key, chain, key.genesis(chainId));
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
      assertLinked(key, chain, key.genesis(incident.id));
    }
  } finally {
    await other.$disconnect();
  }
});

test("incidents' appends proceed in parallel: one waiting on its chain's lock holds up no other lane, and each chain keeps the order recorded", async () => {
  const key = new ChainKey('test-audit-key-0123456789abcdef0123456789');
  const audit = new PostgresAuditLog(database.db, key);
  const incidents = await Promise.all(
    Array.from({ length: 8 }, (_, i) =>
      database.db.incident.create({ data: { source: 'pagerduty', externalId: `P-lane-${i}`, title: 't', alert: {} } }),
    ),
  );
  const lane = (id: string) => laneOf(id, AUDIT_CONNECTIONS);
  const held = incidents[0]!;
  const free = incidents.find((incident) => lane(incident.id) !== lane(held.id))!;
  assert.ok(free, 'two of eight incidents on different lanes');
  // Another process holds the first incident's chain (its transaction appending to it, stuck).
  const other = new pg.Client({ connectionString: database.url });
  await other.connect();
  try {
    await other.query('SELECT pg_advisory_lock(hashtext($1))', [`incident-bot:audit:${held.id}`]);
    let heldDone = false;
    const heldWrites = [1, 2, 3].map((i) =>
      audit.record({ actor: 'bot', action: 'tool.lane', incidentId: held.id, details: { i } }).then(() => {
        heldDone = true;
      }),
    );
    // The other lane's incident is appended meanwhile, in the order recorded.
    await Promise.all(
      [1, 2, 3, 4].map((i) => audit.record({ actor: 'bot', action: 'tool.lane', incidentId: free.id, details: { i } })),
    );
    assert.equal(heldDone, false, 'the held chain is still waiting for its lock');
    await other.query('SELECT pg_advisory_unlock(hashtext($1))', [`incident-bot:audit:${held.id}`]);
    await Promise.all(heldWrites);
  } finally {
    await other.end();
  }
  for (const [incident, count] of [
    [held, 3],
    [free, 4],
  ] as const) {
    const chain = await database.db.auditEvent.findMany({
      where: { incidentId: incident.id },
      orderBy: { seq: 'asc' },
    });
    assert.deepEqual(
      chain.map((row) => (row.details as { i: number }).i),
      Array.from({ length: count }, (_, i) => i + 1),
      'rows in the order recorded',
    );
    assertLinked(key, chain, key.genesis(incident.id));
  }
});

test('records spanning chains of several lanes are written in one transaction, in the order recorded on every chain', async () => {
  const key = new ChainKey('test-audit-key-0123456789abcdef0123456789');
  const audit = new PostgresAuditLog(database.db, key);
  const incidents = await Promise.all(
    Array.from({ length: 6 }, (_, i) =>
      database.db.incident.create({ data: { source: 'pagerduty', externalId: `P-span-${i}`, title: 't', alert: {} } }),
    ),
  );
  const chains = [...incidents.map((incident) => incident.id), null];
  assert.ok(new Set(chains.map((id) => laneOf(id, AUDIT_CONNECTIONS))).size > 1, 'the chains span several lanes');
  const entry = (incidentId: string | null, i: number) => ({
    actor: 'bot',
    action: 'tool.span' as const,
    ...(incidentId ? { incidentId } : {}),
    details: { i },
  });
  // Single-chain records and records spanning two or three chains, interleaved, none awaited before the next.
  const writes: Promise<void>[] = [];
  for (let i = 0; i < 60; i++) {
    const first = chains[i % chains.length]!;
    const second = chains[(i * 5 + 1) % chains.length]!;
    const third = chains[(i * 3 + 2) % chains.length]!;
    if (i % 3 === 0) writes.push(audit.record(entry(first, i)));
    else if (i % 3 === 1) writes.push(audit.record(entry(first, i), entry(second, i)));
    else writes.push(audit.record(entry(first, i), entry(second, i), entry(third, i)));
  }
  await Promise.all(writes);
  const rows = await database.db.auditEvent.findMany({ where: { action: 'tool.span' }, orderBy: { seq: 'asc' } });
  for (const chainId of chains) {
    const chain = rows.filter((row) => row.incidentId === chainId);
    const order = chain.map((row) => (row.details as { i: number }).i);
    assert.deepEqual(
      order,
      [...order].sort((a, b) => a - b),
      `chain ${chainId} in the order recorded`,
    );
    assertLinked(key, chain, chainId === null ? undefined : key.genesis(chainId));
  }
  // Each record's rows were committed together: by one transaction (xmin, the id of the transaction that inserted it).
  const transactions = await database.db.$queryRawUnsafe<{ i: string; xmin: string }[]>(
    `SELECT details->>'i' AS i, xmin::text AS xmin FROM "AuditEvent" WHERE action = 'tool.span'`,
  );
  for (let i = 0; i < 60; i++) {
    const mine = transactions.filter((row) => Number(row.i) === i);
    assert.equal(new Set(mine.map((row) => row.xmin)).size, 1, `record ${i} in one transaction`);
  }
});

test("recordAlong: a caller's statement commits in its rows' transaction, grouped with the lane's others, its rows alone rolled back if it fails", async () => {
  const key = new ChainKey('test-audit-key-0123456789abcdef0123456789');
  const audit = new PostgresAuditLog(database.db, key, 1);
  const other = createDb(database.url);
  try {
    const incident = await database.db.incident.create({
      data: { source: 'pagerduty', externalId: 'P-along', title: 't', alert: {} },
    });
    await database.db.slackMessage.create({ data: { key: 'along:1', incidentId: incident.id, channel: 'C1' } });
    const posted = (n: number) => ({
      actor: 'bot',
      action: 'slack.posted' as const,
      incidentId: incident.id,
      details: { key: `along:${n}` },
    });
    const saveTs = (n: number) => `UPDATE "SlackMessage" SET "ts" = '${n}.0' WHERE "key" = 'along:${n}'`;
    // Not on this log's database (another client): nothing done, the caller writes both itself.
    assert.equal(audit.recordAlong(other, saveTs(1), [posted(1)]), undefined);
    const before = await database.db.auditEvent.count({ where: { incidentId: incident.id } });
    // One lane: the three are queued together and go in one transaction after the first write.
    const [saved, missing, failing, plain] = await Promise.allSettled([
      audit.recordAlong(database.db, saveTs(1), [posted(1)]),
      audit.recordAlong(database.db, saveTs(2), [posted(2)]),
      audit.recordAlong(database.db, 'SELECT 1/0', [posted(3)]),
      audit.record(posted(4)),
    ]);
    assert.equal(saved.status === 'fulfilled' && saved.value?.rowCount, 1);
    // No row to update is no error: the caller decides (VisibleState throws, its audit row committed as before).
    assert.equal(missing.status === 'fulfilled' && missing.value?.rowCount, 0);
    assert.match(String(failing.status === 'rejected' && failing.reason), /division by zero/);
    assert.equal(plain.status, 'fulfilled');
    assert.equal((await database.db.slackMessage.findUniqueOrThrow({ where: { key: 'along:1' } })).ts, '1.0');
    const chain = await database.db.auditEvent.findMany({
      where: { incidentId: incident.id },
      orderBy: { seq: 'asc' },
    });
    assert.deepEqual(
      chain.slice(before).map((row) => (row.details as { key: string }).key),
      ['along:1', 'along:2', 'along:4'],
    );
    assertLinked(key, chain, key.genesis(incident.id));
  } finally {
    await other.$disconnect();
  }
});
