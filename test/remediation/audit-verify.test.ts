import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { PostgresAuditLog } from '../../src/audit/postgres-audit-log.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { runCli } from './harness.ts';

const auditCli = (args: string[], databaseUrl: string) => runCli(['audit', ...args], databaseUrl);

let database: TestDatabase;
let incidentId: string;
before(async () => {
  database = await createTestDatabase();
  const audit = new PostgresAuditLog(database.db);
  const incident = await database.db.incident.create({
    data: { source: 'pagerduty', externalId: 'P-verify', title: 't', alert: {} },
  });
  incidentId = incident.id;
  for (let i = 0; i < 4; i++) {
    await audit.record({ actor: 'bot', action: 'step', incidentId, justification: `step ${i}`, details: { i } });
    await audit.record({ actor: 'bot', action: 'other', details: { i } });
  }
});
after(() => database.drop());

const seqOf = async (action: string, justification: string) =>
  (await database.db.auditEvent.findFirstOrThrow({ where: { action, justification } })).seq.toString();

test('an untouched audit trail verifies and exports', async () => {
  const verify = await auditCli(['verify'], database.url);
  assert.equal(verify.code, 0, verify.stdout + verify.stderr);
  assert.match(verify.stdout, /OK: 8 audit events in 2 chain/);
  const exported = await auditCli(['export', '--incident', incidentId], database.url);
  assert.equal(exported.code, 0, exported.stderr);
  const record = JSON.parse(exported.stdout) as { events: { seq: string }[]; chain: { ok: boolean } };
  assert.equal(record.events.length, 4);
  assert.equal(record.chain.ok, true);
});

test('a row edited and a row deleted behind the trigger’s back are both named by seq', async () => {
  const edited = await seqOf('step', 'step 1');
  const deleted = await seqOf('step', 'step 2');
  // Only a superuser can do this: the append-only trigger refuses it otherwise.
  await database.db.$executeRawUnsafe('ALTER TABLE "AuditEvent" DISABLE TRIGGER USER');
  await database.db.$executeRawUnsafe(`UPDATE "AuditEvent" SET justification = 'nothing to see' WHERE seq = ${edited}`);
  await database.db.$executeRawUnsafe(`DELETE FROM "AuditEvent" WHERE seq = ${deleted}`);
  await database.db.$executeRawUnsafe('ALTER TABLE "AuditEvent" ENABLE TRIGGER USER');

  const verify = await auditCli(['verify'], database.url);
  assert.equal(verify.code, 1, verify.stdout);
  assert.match(verify.stdout, new RegExp(`FAIL edited seq ${edited}:`));
  assert.match(verify.stdout, new RegExp(`FAIL deleted seq ${deleted}:`));
  assert.equal(verify.stdout.match(/^FAIL /gm)?.length, 2, verify.stdout);

  const exported = await auditCli(['export', '--incident', incidentId], database.url);
  const record = JSON.parse(exported.stdout) as { chain: { ok: boolean; problems: { seq: string }[] } };
  assert.equal(record.chain.ok, false);
  assert.deepEqual(record.chain.problems.map((problem) => problem.seq).sort(), [edited, deleted].sort());
});

test('deleting the newest row is caught through the sequence', async () => {
  const newest = await database.db.auditEvent.findFirstOrThrow({ orderBy: { seq: 'desc' } });
  await database.db.$executeRawUnsafe('ALTER TABLE "AuditEvent" DISABLE TRIGGER USER');
  await database.db.$executeRawUnsafe(`DELETE FROM "AuditEvent" WHERE seq = ${newest.seq}`);
  await database.db.$executeRawUnsafe('ALTER TABLE "AuditEvent" ENABLE TRIGGER USER');
  const verify = await auditCli(['verify'], database.url);
  assert.equal(verify.code, 1);
  assert.match(verify.stdout, new RegExp(`FAIL deleted seq ${newest.seq}:`));
});
