import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ChainKey } from '../../src/audit/chain-key.ts';
import { DeferredAudit } from '../../src/audit/deferred-audit.ts';
import { PostgresAuditLog } from '../../src/audit/postgres-audit-log.ts';
import { verifyChains } from '../../src/audit/verify.ts';
import { createDb } from '../../src/store/db.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';

let database: TestDatabase;
before(async () => {
  database = await createTestDatabase();
});
after(() => database.drop());

test('entries recorded without waiting are in the chain in the order recorded once settled', async () => {
  const key = new ChainKey('test-deferred-key-0123456789abcdef0123456789');
  const log = new PostgresAuditLog(database.db, key);
  const incident = await database.db.incident.create({
    data: { source: 'pagerduty', externalId: 'P-deferred', title: 't', alert: {} },
  });
  const deferred = new DeferredAudit(log);
  // Interleaved with entries the caller waits for, as an investigation's reads are with its Slack posts.
  for (let i = 0; i < 30; i++) {
    const entry = { actor: 'bot', action: 'tool.get_object' as const, incidentId: incident.id, details: { i } };
    if (i % 10 === 9) await log.record(entry);
    else await deferred.record(entry);
  }
  await deferred.settled();
  const rows = await database.db.auditEvent.findMany({ where: { incidentId: incident.id }, orderBy: { seq: 'asc' } });
  assert.deepEqual(
    rows.map((row) => (row.details as { i: number }).i),
    Array.from({ length: 30 }, (_, i) => i),
  );
  assert.equal(verifyChains(rows, key).problems.length, 0);
});

test('once an append failed, settled() fails, and keeps failing: nothing more is shown over a hole', async () => {
  // A database nobody listens on: every append is refused.
  const unreachable = createDb('postgresql://postgres@127.0.0.1:9/nowhere');
  try {
    const deferred = new DeferredAudit(new PostgresAuditLog(unreachable));
    await deferred.record({ actor: 'bot', action: 'tool.get_object', details: {} });
    await assert.rejects(deferred.settled(), /ECONNREFUSED|connect/);
    await assert.rejects(deferred.settled(), /ECONNREFUSED|connect/);
  } finally {
    await unreachable.$disconnect();
  }
});
