import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { ChainKey } from '../../src/audit/chain-key.ts';
import { PostgresAuditLog } from '../../src/audit/postgres-audit-log.ts';
import { ConfigError, loadAuditKeys, loadConfig } from '../../src/config/env.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { runCli } from '../support/run-cli.ts';

const OLD = 'rotation-old-key-0123456789abcdef0123456789abcdef';
const NEW = 'rotation-new-key-fedcba9876543210fedcba9876543210';
const RING = `2026-11:${OLD},2026-12:${NEW}`;

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ib-rotation-'));
});
after(() => rm(dir, { recursive: true, force: true }));

const auditCli = (args: string[], database: TestDatabase, keys: Record<string, string>) =>
  runCli(['audit', ...args], 'main', {
    ...process.env,
    DATABASE_URL: database.url,
    AUDIT_HMAC_KEY: '',
    AUDIT_HMAC_KEYS: '',
    AUDIT_CHECKPOINT_SINK: `file:${join(dir, `${database.name}.jsonl`)}`,
    ...keys,
  });

async function appendSteps(audit: PostgresAuditLog, incidentId: string, from: number, count: number) {
  for (let i = from; i < from + count; i++) {
    await audit.record({ actor: 'bot', action: 'investigation.started', incidentId, details: { i } });
    await audit.record({ actor: 'bot', action: 'webhook.refused', details: { i } });
  }
}

test('the audit key rotated: old rows verify with the old key, new rows with the new, each checkpoint with its own', async () => {
  const database = await createTestDatabase();
  try {
    const incident = await database.db.incident.create({
      data: { source: 'pagerduty', externalId: 'PROTATE', title: 't', alert: {} },
    });
    // Months of rows under the one key the bot had (AUDIT_HMAC_KEY), and a checkpoint signed with it.
    await appendSteps(new PostgresAuditLog(database.db, new ChainKey(OLD)), incident.id, 0, 3);
    assert.equal((await auditCli(['checkpoint'], database, { AUDIT_HMAC_KEY: OLD })).code, 0);

    // The rotation: the old key stays in the ring (first, it verifies), the new one (last) signs from now on.
    const ring = new PostgresAuditLog(database.db, new ChainKey(loadAuditKeys({ AUDIT_HMAC_KEYS: RING })));
    await appendSteps(ring, incident.id, 3, 2);
    const before = await auditCli(['verify'], database, { AUDIT_HMAC_KEYS: RING });
    assert.equal(before.code, 0, before.stdout);
    assert.match(before.stdout, /keys: 6 event\(s\) from before key ids under 2026-11, 4 under 2026-12/);
    assert.match(before.stdout, /checkpoint: .* covers seq ≤ 6; 4 newer event/);

    assert.equal((await auditCli(['checkpoint'], database, { AUDIT_HMAC_KEYS: RING })).code, 0);
    const lines = (await readFile(join(dir, `${database.name}.jsonl`), 'utf8')).trim().split('\n');
    assert.equal((JSON.parse(lines.at(-1)!) as { kid?: string }).kid, '2026-12');
    const after = await auditCli(['verify'], database, { AUDIT_HMAC_KEYS: RING });
    assert.equal(after.code, 0, after.stdout);
    assert.match(after.stdout, /OK: 10 audit events in 2 chain/);

    const rows = await database.db.auditEvent.findMany({ orderBy: { seq: 'asc' } });
    assert.deepEqual(
      rows.map((row) => row.keyId),
      [...Array(6).fill(null), ...Array(4).fill('2026-12')],
    );

    // Without the old key, its rows cannot be vouched for: said, and failed.
    const newOnly = await auditCli(['verify'], database, { AUDIT_HMAC_KEYS: `2026-12:${NEW}` });
    assert.equal(newOnly.code, 1, newOnly.stdout);
    // With only the old key, the new rows name a key it does not have.
    const oldOnly = await auditCli(['verify'], database, { AUDIT_HMAC_KEY: OLD });
    assert.equal(oldOnly.code, 1, oldOnly.stdout);
    assert.match(oldOnly.stdout, /FAIL unknown-key seq 7: .*key "2026-12", which is not among the keys given/);
  } finally {
    await database.drop();
  }
});

test('a row moved to the old key by a superuser (key id changed, hash recomputed without the key) is caught', async () => {
  const database = await createTestDatabase();
  try {
    const incident = await database.db.incident.create({
      data: { source: 'pagerduty', externalId: 'PRELABEL', title: 't', alert: {} },
    });
    await appendSteps(
      new PostgresAuditLog(database.db, new ChainKey(loadAuditKeys({ AUDIT_HMAC_KEYS: RING }))),
      incident.id,
      0,
      2,
    );
    const row = await database.db.auditEvent.findFirstOrThrow({ where: { incidentId: incident.id } });
    await database.db.$executeRawUnsafe('ALTER TABLE "AuditEvent" DISABLE TRIGGER USER');
    await database.db.$executeRawUnsafe(`UPDATE "AuditEvent" SET "keyId" = '2026-11' WHERE seq = ${row.seq}`);
    await database.db.$executeRawUnsafe('ALTER TABLE "AuditEvent" ENABLE TRIGGER USER');
    const verify = await auditCli(['verify'], database, { AUDIT_HMAC_KEYS: RING });
    assert.equal(verify.code, 1, verify.stdout);
    assert.match(verify.stdout, new RegExp(`FAIL edited seq ${row.seq}:`));
  } finally {
    await database.drop();
  }
});

test('AUDIT_HMAC_KEYS: id:secret pairs, unique ids, long secrets, not together with AUDIT_HMAC_KEY', () => {
  const base = {
    SLACK_BOT_TOKEN: 'xoxb-1',
    SLACK_SIGNING_SECRET: 's',
    INCIDENT_CHANNEL: 'C1',
    DATABASE_URL: 'postgresql://x@h/d',
    REDIS_URL: 'redis://h:6379',
  };
  const problem = (env: Record<string, string>) => {
    try {
      loadConfig({ ...base, ...env });
      return null;
    } catch (error) {
      assert.ok(error instanceof ConfigError, String(error));
      return error.message;
    }
  };
  assert.deepEqual(loadConfig({ ...base, AUDIT_HMAC_KEYS: RING }).AUDIT_HMAC_KEYS, [
    { id: '2026-11', secret: OLD },
    { id: '2026-12', secret: NEW },
  ]);
  assert.match(problem({ AUDIT_HMAC_KEYS: OLD }) ?? '', /AUDIT_HMAC_KEYS: .*id:secret/);
  assert.match(problem({ AUDIT_HMAC_KEYS: 'a:short' }) ?? '', /AUDIT_HMAC_KEYS: .*at least 32 characters/);
  assert.match(problem({ AUDIT_HMAC_KEYS: `a:${OLD},a:${NEW}` }) ?? '', /AUDIT_HMAC_KEYS: .*"a" twice/);
  assert.match(problem({ AUDIT_HMAC_KEYS: RING, AUDIT_HMAC_KEY: OLD }) ?? '', /AUDIT_HMAC_KEY: .*not both/);
});
