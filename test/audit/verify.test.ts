import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { ChainKey } from '../../src/audit/chain-key.ts';
import { PostgresAuditLog } from '../../src/audit/postgres-audit-log.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { FakeSlack } from '../support/fake-slack.ts';
import { runCli } from '../support/run-cli.ts';

const AUDIT_HMAC_KEY = 'verify-test-key-0123456789abcdef0123456789abcdef';

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ib-audit-'));
});
after(() => rm(dir, { recursive: true, force: true }));

/** A database the bot wrote to: one incident's chain and the global chain, interleaved. */
async function botDatabase() {
  const database = await createTestDatabase();
  const audit = new PostgresAuditLog(database.db, new ChainKey(AUDIT_HMAC_KEY));
  const incident = await database.db.incident.create({
    data: { source: 'pagerduty', externalId: `P-${database.name}`, title: 't', alert: {} },
  });
  for (let i = 0; i < 4; i++) {
    await audit.record({
      actor: 'bot',
      action: 'tool.get_object',
      incidentId: incident.id,
      justification: `step ${i}`,
      details: { i },
    });
    await audit.record({ actor: 'bot', action: 'webhook.refused', details: { i } });
  }
  return { database, audit, incidentId: incident.id };
}

const auditCli = (args: string[], database: TestDatabase, env: Record<string, string> = {}) =>
  runCli(['audit', ...args], 'main', {
    ...process.env,
    DATABASE_URL: database.url,
    AUDIT_HMAC_KEY,
    AUDIT_CHECKPOINT_SINK: `file:${join(dir, `${database.name}.jsonl`)}`,
    ...env,
  });

/** What only a database superuser can do: the append-only trigger refuses it otherwise. */
async function asSuperuser(database: TestDatabase, ...statements: string[]) {
  await database.db.$executeRawUnsafe('ALTER TABLE "AuditEvent" DISABLE TRIGGER USER');
  for (const statement of statements) await database.db.$executeRawUnsafe(statement);
  await database.db.$executeRawUnsafe('ALTER TABLE "AuditEvent" ENABLE TRIGGER USER');
}

const seqOf = async (database: TestDatabase, action: string, justification: string) =>
  (await database.db.auditEvent.findFirstOrThrow({ where: { action, justification } })).seq.toString();

test('an untouched audit trail verifies and exports', async () => {
  const { database, incidentId } = await botDatabase();
  try {
    assert.equal((await auditCli(['checkpoint'], database)).code, 0);
    const verify = await auditCli(['verify'], database);
    assert.equal(verify.code, 0, verify.stdout + verify.stderr);
    assert.match(verify.stdout, /OK: 8 audit events in 2 chain/);
    assert.match(verify.stdout, /checkpoint: .* covers seq ≤ 8; 0 newer event/);
    const exported = await auditCli(['export', '--incident', incidentId], database);
    assert.equal(exported.code, 0, exported.stderr);
    const record = JSON.parse(exported.stdout) as { events: { seq: string }[]; chain: { ok: boolean } };
    assert.equal(record.events.length, 4);
    assert.equal(record.chain.ok, true);
  } finally {
    await database.drop();
  }
});

/** An INSERT into the audit table whose transaction then fails, as an append that errs after taking its seq. */
async function rolledBackAppend(database: TestDatabase, incidentId: string | null): Promise<void> {
  await assert.rejects(
    database.db.$transaction(async (tx) => {
      await tx.$executeRaw`INSERT INTO "AuditEvent" ("incidentId", "actor", "action", "prevHash", "hash")
                           VALUES (${incidentId}, 'bot', 'rolled back', 'x', 'x')`;
      throw new Error('the append failed after its INSERT');
    }),
    /failed after its INSERT/,
  );
}

test('a sequence gap left by a rolled-back append is not a deletion: verify passes and lists it', async () => {
  const { database, audit, incidentId } = await botDatabase();
  try {
    // An append that took its seq and then rolled back: the seq stays used, no row holds it. (The audit log itself
    // no longer fails on text: NUL and unpaired surrogates are replaced before the append.)
    await rolledBackAppend(database, incidentId);
    await audit.record({ actor: 'bot', action: 'tool.get_object', incidentId });
    assert.equal((await auditCli(['checkpoint'], database)).code, 0);
    await rolledBackAppend(database, null);
    await audit.record({ actor: 'bot', action: 'webhook.refused' });
    const verify = await auditCli(['verify'], database);
    assert.equal(verify.code, 0, verify.stdout);
    assert.match(verify.stdout, /gaps: seq 9, 11 never held a committed row/);
    assert.match(verify.stdout, /covers seq ≤ 10; 1 newer event/);
    assert.match(verify.stdout, /OK: 10 audit events/);
  } finally {
    await database.drop();
  }
});

test('a row edited and a row deleted behind the trigger’s back are both named by seq', async () => {
  const { database, incidentId } = await botDatabase();
  try {
    await auditCli(['checkpoint'], database);
    const edited = await seqOf(database, 'tool.get_object', 'step 1');
    const deleted = await seqOf(database, 'tool.get_object', 'step 2');
    await asSuperuser(
      database,
      `UPDATE "AuditEvent" SET justification = 'nothing to see' WHERE seq = ${edited}`,
      `DELETE FROM "AuditEvent" WHERE seq = ${deleted}`,
    );
    const verify = await auditCli(['verify'], database);
    assert.equal(verify.code, 1, verify.stdout);
    assert.match(verify.stdout, new RegExp(`FAIL edited seq ${edited}:`));
    assert.match(verify.stdout, new RegExp(`FAIL deleted seq ${deleted}:`));
    assert.equal(verify.stdout.match(/^FAIL /gm)?.length, 2, verify.stdout);

    const exported = await auditCli(['export', '--incident', incidentId], database);
    const record = JSON.parse(exported.stdout) as { chain: { ok: boolean; problems: { seq: string }[] } };
    assert.equal(record.chain.ok, false);
    assert.deepEqual(record.chain.problems.map((problem) => problem.seq).sort(), [edited, deleted].sort());
  } finally {
    await database.drop();
  }
});

test('a superuser who changes who approved and recomputes every hash without the key is caught', async () => {
  const { database, audit, incidentId } = await botDatabase();
  try {
    await audit.record({ actor: 'slack:UALICE', action: 'plan.approval', incidentId, justification: 'restart' });
    await audit.record({ actor: 'executor', action: 'plan.succeeded', incidentId });
    // The attacker knows the code (canonical JSON, HMAC over prevHash + content) but not AUDIT_HMAC_KEY.
    const forger = new ChainKey('attacker-guess-0123456789abcdef0123456789abcdef');
    const chain = await database.db.auditEvent.findMany({ where: { incidentId }, orderBy: { seq: 'asc' } });
    let prevHash = forger.genesis(incidentId);
    const rewrites: string[] = [];
    for (const row of chain) {
      const actor = row.action === 'plan.approval' ? 'slack:UMALLORY' : row.actor;
      const hash = forger.hash({ ...row, actor, prevHash });
      rewrites.push(
        `UPDATE "AuditEvent" SET actor = '${actor}', "prevHash" = '${prevHash}', hash = '${hash}' WHERE seq = ${row.seq}`,
      );
      prevHash = hash;
    }
    await asSuperuser(database, ...rewrites);
    const verify = await auditCli(['verify'], database);
    assert.equal(verify.code, 1, verify.stdout);
    for (const row of chain) assert.match(verify.stdout, new RegExp(`FAIL edited seq ${row.seq}:`));
  } finally {
    await database.drop();
  }
});

/** The newest rows of a chain deleted and the sequence set back, so nothing looks missing inside the table. */
async function truncateTail(database: TestDatabase, incidentId: string) {
  const newest = await database.db.auditEvent.findMany({
    where: { incidentId },
    orderBy: { seq: 'desc' },
    take: 2,
  });
  const keep = await database.db.auditEvent.findFirstOrThrow({
    where: { seq: { lt: newest.at(-1)!.seq } },
    orderBy: { seq: 'desc' },
  });
  await asSuperuser(
    database,
    `DELETE FROM "AuditEvent" WHERE seq >= ${newest.at(-1)!.seq}`,
    `SELECT setval(pg_get_serial_sequence('"AuditEvent"', 'seq'), ${keep.seq})`,
  );
  return newest.map((row) => row.seq.toString());
}

test('the newest rows deleted and the sequence reset: the file checkpoint names the truncated chain', async () => {
  const { database, incidentId } = await botDatabase();
  try {
    assert.equal((await auditCli(['checkpoint'], database)).code, 0);
    const line = JSON.parse((await readFile(join(dir, `${database.name}.jsonl`), 'utf8')).trim()) as { sig: string };
    assert.match(line.sig, /^[0-9a-f]{64}$/);
    const [head] = await truncateTail(database, incidentId);
    const verify = await auditCli(['verify'], database);
    assert.equal(verify.code, 1, verify.stdout);
    assert.match(verify.stdout, new RegExp(`FAIL truncated seq ${head}: .*incident ${incidentId}`));
  } finally {
    await database.drop();
  }
});

test('a checkpoint in the incident channel (Slack message metadata) catches a truncated tail', async () => {
  const { database, incidentId } = await botDatabase();
  const slack = await FakeSlack.start();
  const env = {
    AUDIT_CHECKPOINT_SINK: 'slack',
    INCIDENT_CHANNEL: 'CINCIDENTS',
    SLACK_BOT_TOKEN: 'xoxb-test',
    SLACK_API_URL: slack.apiUrl,
  };
  try {
    assert.equal((await auditCli(['checkpoint'], database, env)).code, 0);
    const [posted] = slack.storedMessages('CINCIDENTS');
    assert.equal(posted?.metadata?.event_type, 'incident_bot_audit_checkpoint');
    assert.equal((await auditCli(['verify'], database, env)).code, 0);
    await truncateTail(database, incidentId);
    const verify = await auditCli(['verify'], database, env);
    assert.equal(verify.code, 1, verify.stdout);
    assert.match(verify.stdout, /FAIL truncated seq 8: up to seq 8 the table holds 4 rows/);
    assert.ok(
      slack.callsTo('conversations.history').every((call) => String(call.args.include_all_metadata) === 'true'),
    );
  } finally {
    await slack.close();
    await database.drop();
  }
});

/** A bucket that keeps what is PUT and serves it back by GET. */
async function objectStore(): Promise<{ url: string; objects: Map<string, string>; server: Server }> {
  const objects = new Map<string, string>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      if (req.method === 'PUT') {
        objects.set(req.url ?? '', Buffer.concat(chunks).toString('utf8'));
        res.writeHead(200).end();
      } else if (objects.has(req.url ?? '')) res.writeHead(200).end(objects.get(req.url ?? ''));
      else res.writeHead(404).end();
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/audit`, objects, server };
}

test('an object-store checkpoint catches a truncated tail; a forged checkpoint is refused', async () => {
  const { database, incidentId } = await botDatabase();
  const store = await objectStore();
  const env = { AUDIT_CHECKPOINT_SINK: store.url };
  try {
    assert.equal((await auditCli(['checkpoint'], database, env)).code, 0);
    assert.ok(store.objects.has('/audit/latest.json'));
    assert.ok([...store.objects.keys()].some((name) => /checkpoint-0+8\.json$/.test(name)));
    const [head] = await truncateTail(database, incidentId);
    const verify = await auditCli(['verify'], database, env);
    assert.equal(verify.code, 1, verify.stdout);
    assert.match(verify.stdout, new RegExp(`FAIL truncated seq ${head}:`));

    // Rewriting the checkpoint to match the truncated table needs the key too.
    const forged = JSON.parse(store.objects.get('/audit/latest.json')!) as Record<string, unknown>;
    store.objects.set('/audit/latest.json', JSON.stringify({ ...forged, rows: 6 }));
    const again = await auditCli(['verify'], database, env);
    assert.match(again.stdout, /FAIL checkpoint seq 8: .*does not carry a valid signature/);
  } finally {
    store.server.close();
    await database.drop();
  }
});
