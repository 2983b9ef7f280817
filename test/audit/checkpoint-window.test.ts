import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { ChainKey } from '../../src/audit/chain-key.ts';
import { type Checkpoint, takeCheckpoint } from '../../src/audit/checkpoint.ts';
import { parseCheckpointSink } from '../../src/audit/checkpoint-sink.ts';
import { startCheckpoints } from '../../src/audit/checkpointer.ts';
import { PostgresAuditLog } from '../../src/audit/postgres-audit-log.ts';
import { inTransaction, poolOf } from '../../src/store/db.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { runCli } from '../support/run-cli.ts';
import { until } from '../support/until.ts';

const AUDIT_HMAC_KEY = 'checkpoint-window-key-0123456789abcdef0123456789';

let dir: string;
let database: TestDatabase;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ib-window-'));
  database = await createTestDatabase();
});
after(async () => {
  await database.drop();
  await rm(dir, { recursive: true, force: true });
});

/** The last seq the newest checkpoint in `file` covers; -1 before the first. */
const lastCheckpointSeq = async (file: string): Promise<bigint> => {
  const text = await readFile(file, 'utf8').catch(() => '');
  const last = text.trim().split('\n').at(-1);
  return last ? BigInt((JSON.parse(last) as { lastSeq: string }).lastSeq) : -1n;
};

const key = new ChainKey(AUDIT_HMAC_KEY);

/**
 * A checkpointer writing to `file` whose hourly timer never fires during the test: checkpoints come from its start,
 * from plan rows and from `everyRows` appends only. Resolves once the start-up checkpoint is written.
 */
async function hourlyCheckpointsTo(file: string, everyRows: number) {
  const checkpoints = startCheckpoints({
    db: database.db,
    key,
    sink: parseCheckpointSink(`file:${file}`, { client: () => assert.fail('no Slack sink here') }),
    intervalMs: 3_600_000,
    everyRows,
    onError: (error) => assert.fail(error),
  });
  await until('the start-up checkpoint', async () => (await lastCheckpointSeq(file)) >= 0n);
  return checkpoints;
}

test('an approval is checkpointed within seconds, not at the next hourly checkpoint: deleting it is caught', async () => {
  const file = join(dir, 'checkpoints.jsonl');
  const audit = new PostgresAuditLog(database.db, key);
  // The periodic checkpoint alone would leave the approval uncovered for an hour.
  const checkpoints = await hourlyCheckpointsTo(file, 1000);
  try {
    const incident = await database.db.incident.create({
      data: { source: 'pagerduty', externalId: 'PWINDOW', title: 't', alert: {} },
    });
    await audit.record({ actor: 'bot', action: 'investigation.started', incidentId: incident.id });
    await audit.record({ actor: 'slack:UMALLORY', action: 'plan.approval', incidentId: incident.id });
    await audit.record({ actor: 'bot', action: 'plan.approved', incidentId: incident.id });
    const approved = await database.db.auditEvent.findFirstOrThrow({ where: { action: 'plan.approved' } });
    await until('a checkpoint covering the approval', async () => (await lastCheckpointSeq(file)) >= approved.seq);

    // The approver's trace removed by a superuser, the sequence set back: the checkpoint names the cut tail.
    await database.db.$executeRawUnsafe('ALTER TABLE "AuditEvent" DISABLE TRIGGER USER');
    await database.db.$executeRawUnsafe(`DELETE FROM "AuditEvent" WHERE action IN ('plan.approval', 'plan.approved')`);
    await database.db.$executeRawUnsafe('ALTER TABLE "AuditEvent" ENABLE TRIGGER USER');
    const verify = await runCli(['audit', 'verify'], 'main', {
      ...process.env,
      DATABASE_URL: database.url,
      AUDIT_HMAC_KEY,
      AUDIT_CHECKPOINT_SINK: `file:${file}`,
    });
    assert.equal(verify.code, 1, verify.stdout);
    assert.match(verify.stdout, new RegExp(`FAIL truncated seq ${approved.seq}:`));
  } finally {
    await checkpoints.stop();
  }
});

test('ordinary rows are checkpointed every N appends, without waiting for the interval', async () => {
  const file = join(dir, 'every-rows.jsonl');
  const audit = new PostgresAuditLog(database.db, key);
  // The checkpoint every checkpointer takes at start, then 20 rows after it.
  const checkpoints = await hourlyCheckpointsTo(file, 20);
  try {
    for (let i = 0; i < 20; i++) await audit.record({ actor: 'bot', action: 'webhook.refused', details: { i } });
    const newest = await database.db.auditEvent.findFirstOrThrow({ orderBy: { seq: 'desc' } });
    await until('a checkpoint after 20 appends', async () => (await lastCheckpointSeq(file)) >= newest.seq);
  } finally {
    await checkpoints.stop();
  }
});

test('a checkpoint taken while an append holds its seqs waits for that append to commit, and covers its row', async () => {
  const audit = new PostgresAuditLog(database.db, key);
  const incident = await database.db.incident.create({
    data: { source: 'pagerduty', externalId: 'PMIDAPPEND', title: 't', alert: {} },
  });
  let committed = false;
  let checkpoint: Promise<Checkpoint> | undefined;
  await inTransaction(poolOf(database.db), async (tx, atCommit) => {
    // The row's seq is taken now; the row itself is inserted with the COMMIT.
    await audit.recordIn(tx, [{ actor: 'bot', action: 'incident.opened', incidentId: incident.id }], atCommit);
    checkpoint = takeCheckpoint(database.db, key).then((taken) => {
      assert.ok(committed, 'the checkpoint was taken before the append it overlaps committed');
      return taken;
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    committed = true;
  });
  const taken = await (checkpoint as Promise<Checkpoint>);
  const row = await database.db.auditEvent.findFirstOrThrow({ where: { incidentId: incident.id } });
  assert.ok(BigInt(taken.lastSeq) >= row.seq, `checkpoint at ${taken.lastSeq} does not cover row ${row.seq}`);
});
