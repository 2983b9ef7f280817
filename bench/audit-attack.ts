// The audit trail under a database superuser's attacks: `npx tsx bench/audit-attack.ts` (needs Postgres on
// TEST_DATABASE_ADMIN_URL or 127.0.0.1:5432). Writes a trail as the bot does (with rolled-back appends leaving
// sequence gaps), checkpoints it, then runs each attack in a transaction that is rolled back afterwards and
// counts what `verify` catches. The trail spans a key rotation: the first half under a single AUDIT_HMAC_KEY (no key
// ids), the second under AUDIT_HMAC_KEYS=old:<that key>,new:<another>. Prints the figures; exits non-zero on an
// undetected attack or a false alarm.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { ChainKey } from '../src/audit/chain-key.ts';
import { type Checkpoint, takeCheckpoint } from '../src/audit/checkpoint.ts';
import { parseCheckpointSink } from '../src/audit/checkpoint-sink.ts';
import { startCheckpoints } from '../src/audit/checkpointer.ts';
import { PostgresAuditLog } from '../src/audit/postgres-audit-log.ts';
import { verifyChains } from '../src/audit/verify.ts';
import type { AuditEvent } from '../src/generated/prisma/client.ts';
import { createDb } from '../src/store/db.ts';
import { migrate } from '../src/store/migrate.ts';

const ADMIN_URL = process.env.TEST_DATABASE_ADMIN_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const ROUNDS = Number(process.env.ATTACK_ROUNDS ?? 10);
pg.types.setTypeParser(1114, (text) => new Date(`${text.replace(' ', 'T')}Z`));

const OLD_SECRET = randomBytes(32).toString('hex');
/** The single key of the first half; after the rotation it only verifies (and, in one attack, it leaked). */
const retired = new ChainKey(OLD_SECRET);
const key = new ChainKey([
  { id: 'old', secret: OLD_SECRET },
  { id: 'new', secret: randomBytes(32).toString('hex') },
]);
const name = `ib_attack_${randomBytes(5).toString('hex')}`;
const admin = new pg.Client({ connectionString: ADMIN_URL });
await admin.connect();
await admin.query(`CREATE DATABASE "${name}"`);
const url = new URL(ADMIN_URL);
url.pathname = `/${name}`;
await migrate(url.toString());
const db = createDb(url.toString());
const client = new pg.Client({ connectionString: url.toString() });
await client.connect();

try {
  // The bot's writes: 20 incident chains and the global chain, and appends that fail after taking their seq.
  const beforeRotation = new PostgresAuditLog(db, retired);
  const audit = new PostgresAuditLog(db, key);
  const incidents: string[] = [];
  for (let i = 0; i < 20; i++) {
    const incident = await db.incident.create({
      data: { source: 'pagerduty', externalId: `P${i}`, title: 't', alert: {} },
    });
    incidents.push(incident.id);
  }
  let gaps = 0;
  for (let i = 0; i < 400; i++) {
    const incidentId = i % 7 === 0 ? undefined : incidents[i % incidents.length];
    if (i % 37 === 0) {
      // An append that took its seq and then rolled back: the seq stays used, no row holds it.
      gaps++;
      await db
        .$transaction(async (tx) => {
          await tx.$executeRaw`INSERT INTO "AuditEvent" ("incidentId", "actor", "action", "prevHash", "hash")
                               VALUES (${incidentId ?? null}, 'bot', 'rolled back', 'x', 'x')`;
          throw new Error('rolled back');
        })
        .catch(() => undefined);
    }
    await (i < 200 ? beforeRotation : audit).record({
      actor: i % 5 ? 'bot' : 'slack:UALICE',
      action: `tool.step_${i}`,
      incidentId,
      details: { i },
    });
  }
  const checkpoint: Checkpoint = await takeCheckpoint(db, key);
  for (let i = 0; i < 10; i++) await audit.record({ actor: 'bot', action: 'webhook.refused', details: { i } });

  const rows = async (): Promise<AuditEvent[]> =>
    (await client.query('SELECT * FROM "AuditEvent" ORDER BY seq')).rows.map((row) => ({
      ...row,
      seq: BigInt(row.seq),
    }));
  const covered = async () => (await rows()).filter((row) => row.seq <= BigInt(checkpoint.lastSeq));
  const pick = <T>(items: T[]): T => items[Math.floor(Math.random() * items.length)]!;

  /** `victim` made to say Mallory approved, and each row of `chain` re-hashed under `forger` to hide it. */
  const rehash = async (c: pg.Client, forger: ChainKey, victim: AuditEvent, chain: AuditEvent[]) => {
    let prevHash = forger.genesis(victim.incidentId, chain[0]?.keyId ?? null);
    for (const link of chain) {
      const actor = link.seq === victim.seq ? 'slack:UMALLORY' : link.actor;
      const hash = forger.hash({ ...link, actor, prevHash });
      await c.query('UPDATE "AuditEvent" SET actor = $1, "prevHash" = $2, hash = $3 WHERE seq = $4', [
        actor,
        prevHash,
        hash,
        link.seq,
      ]);
      prevHash = hash;
    }
  };

  const clean = verifyChains(await rows(), key, { checkpoint });
  const attacks: Record<string, (c: pg.Client) => Promise<void>> = {
    'edit a row (who approved)': async (c) => {
      const row = pick(await covered());
      await c.query(`UPDATE "AuditEvent" SET actor = 'slack:UMALLORY' WHERE seq = $1`, [row.seq]);
    },
    'edit a row and re-hash its chain without the key': async (c) => {
      const row = pick(await covered());
      // The attacker knows the code and the key ids, not the secrets.
      const forger = new ChainKey([
        { id: 'old', secret: randomBytes(32).toString('hex') },
        { id: 'new', secret: randomBytes(32).toString('hex') },
      ]);
      await rehash(
        c,
        forger,
        row,
        (await rows()).filter((other) => other.incidentId === row.incidentId),
      );
    },
    'delete a row inside a chain': async (c) => {
      const row = pick(await covered());
      await c.query('DELETE FROM "AuditEvent" WHERE seq = $1', [row.seq]);
    },
    "delete a chain's newest covered rows and reset the sequence": async (c) => {
      const victim = pick(incidents);
      const tail = (await covered()).filter((row) => row.incidentId === victim).slice(-2);
      await c.query('DELETE FROM "AuditEvent" WHERE seq = ANY($1)', [tail.map((row) => row.seq)]);
      await c.query(`SELECT setval(pg_get_serial_sequence('"AuditEvent"', 'seq'), $1)`, [tail[0]!.seq - 1n]);
    },
    'delete a whole chain': async (c) => {
      await c.query('DELETE FROM "AuditEvent" WHERE "incidentId" = $1', [pick(incidents)]);
    },
    'move a row to the other key of the ring (its key id changed)': async (c) => {
      const row = pick(await covered());
      await c.query('UPDATE "AuditEvent" SET "keyId" = $1 WHERE seq = $2', [row.keyId ? null : 'new', row.seq]);
    },
    'name a key the ring does not hold': async (c) => {
      const row = pick(await covered());
      await c.query(`UPDATE "AuditEvent" SET "keyId" = 'attacker' WHERE seq = $1`, [row.seq]);
    },
    'edit a pre-rotation row with the retired key (leaked) and re-hash what it signed': async (c) => {
      const row = pick((await covered()).filter((candidate) => candidate.keyId === null));
      const signed = (await rows()).filter((other) => other.incidentId === row.incidentId && other.keyId === null);
      await rehash(c, retired, row, signed);
    },
    'move a row to another seq': async (c) => {
      const row = pick(await covered());
      const free = BigInt(checkpoint.lastSeq) + 1000n;
      await c.query('UPDATE "AuditEvent" SET seq = $1 WHERE seq = $2', [free, row.seq]);
    },
  };

  const results: { attack: string; tried: number; detected: number }[] = [];
  for (const [attack, run] of Object.entries(attacks)) {
    let detected = 0;
    for (let round = 0; round < ROUNDS; round++) {
      await client.query('BEGIN');
      try {
        await client.query('ALTER TABLE "AuditEvent" DISABLE TRIGGER USER');
        await run(client);
        if (!verifyChains(await rows(), key, { checkpoint }).ok) detected++;
      } finally {
        await client.query('ROLLBACK');
      }
    }
    results.push({ attack, tried: ROUNDS, detected });
  }
  const forged = { ...checkpoint, rows: checkpoint.rows - 2 };
  results.push({
    attack: 'rewrite the checkpoint to match a truncated table',
    tried: 1,
    detected: verifyChains(await rows(), key, { checkpoint: forged }).ok ? 0 : 1,
  });

  const tried = results.reduce((sum, result) => sum + result.tried, 0);
  const detected = results.reduce((sum, result) => sum + result.detected, 0);
  const perKey = [...clean.keys].map(([id, count]) => `${count} under ${id ?? 'the key before key ids'}`).join(', ');
  console.log(`audit trail: ${clean.rows} events, ${clean.chains} chains, ${gaps} rolled-back appends (${perKey})`);
  console.log(
    `clean database: ${clean.ok ? 'verifies' : 'FALSE ALARM'}; sequence gaps listed as never filled: ${clean.unfilledGaps.length}`,
  );
  for (const result of results) console.log(`  ${result.attack}: ${result.detected}/${result.tried} detected`);
  console.log(`attacks: ${tried}, detected: ${detected}, undetected: ${tried - detected}`);

  // The window: how long an approval stays uncovered by a checkpoint (deletable unnoticed) with the hourly timer.
  // (setval is not rolled back with the attacks' transactions: the sequence goes back past the newest row first.)
  await client.query(
    `SELECT setval(pg_get_serial_sequence('"AuditEvent"', 'seq'), (SELECT max(seq) FROM "AuditEvent") + 1000)`,
  );
  const file = join(tmpdir(), `${name}.jsonl`);
  const checkpoints = startCheckpoints({
    db,
    key,
    sink: parseCheckpointSink(`file:${file}`, { client: () => assert.fail('file sink') }),
    intervalMs: 3_600_000,
    everyRows: 1000,
    onError: (error) => console.error(error),
  });
  const coveredSeq = async () =>
    BigInt(
      (
        JSON.parse((await readFile(file, 'utf8').catch(() => '{}')).trim().split('\n').at(-1) ?? '{}') as {
          lastSeq?: string;
        }
      ).lastSeq ?? -1,
    );
  while ((await coveredSeq()) < 0n) await new Promise((resolve) => setTimeout(resolve, 20));
  const windows: number[] = [];
  for (let i = 0; i < 5; i++) {
    const written = Date.now();
    await audit.record({ actor: 'bot', action: 'plan.approved', incidentId: incidents[i]!, details: { i } });
    const newest = (await rows()).at(-1)!.seq;
    while ((await coveredSeq()) < newest) await new Promise((resolve) => setTimeout(resolve, 20));
    windows.push(Date.now() - written);
  }
  await checkpoints.stop();
  await rm(file, { force: true });
  console.log(`approval → checkpoint covering it: ${windows.map((ms) => `${(ms / 1000).toFixed(1)} s`).join(', ')}`);
  process.exitCode = clean.ok && detected === tried ? 0 : 1;
} finally {
  await client.end();
  await db.$disconnect();
  await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  await admin.end();
}
