import { writeFile } from 'node:fs/promises';
import { exportIncident } from '../audit/export.ts';
import { AUDIT_CHAIN_RULES } from '../audit/postgres-audit-log.ts';
import { verifyChains } from '../audit/verify.ts';
import type { PrismaClient } from '../generated/prisma/client.ts';
import { createDb } from '../store/db.ts';
import { type Command, parseOptions, UsageError } from './args.ts';

const usage = `Usage:
  incident-bot audit export --incident ID [--out FILE]
  incident-bot audit verify

export   writes one incident's record as JSON (the incident, its plans and decisions, its audit chain in order,
         and whether that chain verifies) to FILE, or to stdout.
verify   recomputes every audit chain and names each edited or deleted row by its seq; exit code 1 if any.

Reads DATABASE_URL.

  --incident ID   the incident (its id in the database)
  --out FILE      where to write the export (default: stdout)
  -h, --help      show this help`;

function connect(): PrismaClient {
  const connectionString = process.env.DATABASE_URL;
  if (!connectionString)
    throw new UsageError('DATABASE_URL is not set (e.g. postgresql://postgres@127.0.0.1:5432/incident_bot)', usage);
  return createDb(connectionString);
}

const json = (value: unknown) =>
  JSON.stringify(value, (_key, inner) => (typeof inner === 'bigint' ? inner.toString() : inner), 2);

async function exportCommand(
  db: PrismaClient,
  incidentId: string | undefined,
  out: string | undefined,
): Promise<number> {
  if (!incidentId) throw new UsageError('export needs --incident ID', usage);
  const record = await exportIncident(db, incidentId, AUDIT_CHAIN_RULES);
  if (!record) {
    process.stderr.write(`incident ${incidentId} not found\n`);
    return 1;
  }
  if (out) await writeFile(out, `${json(record)}\n`);
  else process.stdout.write(`${json(record)}\n`);
  return 0;
}

async function verifyCommand(db: PrismaClient): Promise<number> {
  const rows = await db.auditEvent.findMany({ orderBy: { seq: 'asc' } });
  // The sequence remembers seqs handed out after the last surviving row, so deleting the newest row shows too.
  const [sequence] = await db.$queryRawUnsafe<{ last_value: bigint; is_called: boolean }[]>(
    `SELECT last_value, is_called FROM "AuditEvent_seq_seq"`,
  );
  const lastIssued = sequence?.is_called ? BigInt(sequence.last_value) : undefined;
  const report = verifyChains(rows, AUDIT_CHAIN_RULES, { lastIssuedSeq: lastIssued });
  for (const problem of report.problems)
    process.stdout.write(`FAIL ${problem.kind} seq ${problem.seq}: ${problem.message}\n`);
  process.stdout.write(
    report.ok
      ? `OK: ${report.rows} audit events in ${report.chains} chain(s) verified\n`
      : `FAILED: ${report.problems.length} problem(s) in ${report.rows} audit events\n`,
  );
  return report.ok ? 0 : 1;
}

export const auditCommand: Command = {
  usage,
  async run(argv) {
    const [sub, ...rest] = argv;
    const { values } = parseOptions(rest, { incident: { type: 'string' }, out: { type: 'string' } }, usage);
    if (values.help || sub === '--help' || sub === '-h') {
      process.stdout.write(`${usage}\n`);
      return 0;
    }
    if (sub !== 'export' && sub !== 'verify') throw new UsageError(`unknown audit command "${sub ?? ''}"`, usage);
    const db = connect();
    try {
      return sub === 'export' ? await exportCommand(db, values.incident, values.out) : await verifyCommand(db);
    } finally {
      await db.$disconnect();
    }
  },
};
