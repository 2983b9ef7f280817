import { writeFile } from 'node:fs/promises';
import { ChainKey } from '../audit/chain-key.ts';
import { loadAuditKeys } from '../config/env.ts';
import { takeCheckpoint } from '../audit/checkpoint.ts';
import { type CheckpointSink, parseCheckpointSink } from '../audit/checkpoint-sink.ts';
import { exportIncident, incidentTimeline } from '../audit/export.ts';
import { timelineMarkdown } from '../audit/timeline.ts';
import { verifyChains } from '../audit/verify.ts';
import type { PrismaClient } from '../generated/prisma/client.ts';
import { createDb } from '../store/db.ts';
import { type Command, parseOptions, UsageError } from './args.ts';

const usage = `Usage:
  incident-bot audit export --incident ID [--out FILE]
  incident-bot audit timeline --incident ID [--json] [--out FILE]
  incident-bot audit verify
  incident-bot audit checkpoint

export       writes one incident's record as JSON (the incident, its plans and decisions, its audit chain in
             order, and whether that chain verifies) to FILE, or to stdout.
timeline     writes one incident's timeline from its audit chain as Markdown (a postmortem draft): the alert, the
             hypotheses as they changed, the answer, the plan, who approved or rejected and when, the execution,
             its verification or rollback, the resolution, and the time from the alert to the first hypothesis, the
             answer, the approval and the resolution. --json writes the same as JSON.
verify       recomputes every audit chain under AUDIT_HMAC_KEY, compares the table with the newest checkpoint in
             AUDIT_CHECKPOINT_SINK, and names each edited, deleted or truncated row by its seq; exit code 1 if any.
             Sequence gaps no committed row ever filled (rolled-back inserts) are listed, not failed.
checkpoint   writes a signed checkpoint of every chain head to AUDIT_CHECKPOINT_SINK now.

Reads DATABASE_URL, AUDIT_HMAC_KEY and AUDIT_CHECKPOINT_SINK (a Slack sink also SLACK_BOT_TOKEN, SLACK_API_URL,
INCIDENT_CHANNEL), as the bot does.

  --incident ID   the incident (its id in the database)
  --out FILE      where to write the export or timeline (default: stdout)
  --json          timeline as JSON instead of Markdown
  -h, --help      show this help`;

function connect(): PrismaClient {
  const connectionString = process.env.DATABASE_URL;
  if (!connectionString)
    throw new UsageError('DATABASE_URL is not set (e.g. postgresql://postgres@127.0.0.1:5432/incident_bot)', usage);
  return createDb(connectionString);
}

async function checkpointSink(): Promise<CheckpointSink | null> {
  const spec = process.env.AUDIT_CHECKPOINT_SINK;
  if (!spec) return null;
  // The Slack client (Bolt) is loaded for a Slack sink only: a file or object-store sink starts without it.
  const slack = spec === 'slack' || spec.startsWith('slack:') ? await import('../slack/client.ts') : undefined;
  return parseCheckpointSink(spec, {
    incidentChannel: process.env.INCIDENT_CHANNEL,
    client: () => {
      const token = process.env.SLACK_BOT_TOKEN;
      if (!token || !slack) throw new UsageError('a Slack checkpoint sink needs SLACK_BOT_TOKEN', usage);
      const slackApiUrl = process.env.SLACK_API_URL;
      return slack.createSlackClient(token, slackApiUrl ? { slackApiUrl } : {});
    },
  });
}

const chainKey = () => new ChainKey(loadAuditKeys());

const json = (value: unknown) =>
  JSON.stringify(value, (_key, inner) => (typeof inner === 'bigint' ? inner.toString() : inner), 2);

async function exportCommand(
  db: PrismaClient,
  incidentId: string | undefined,
  out: string | undefined,
): Promise<number> {
  if (!incidentId) throw new UsageError('export needs --incident ID', usage);
  const record = await exportIncident(db, incidentId, chainKey());
  if (!record) {
    process.stderr.write(`incident ${incidentId} not found\n`);
    return 1;
  }
  if (out) await writeFile(out, `${json(record)}\n`);
  else process.stdout.write(`${json(record)}\n`);
  return 0;
}

async function timelineCommand(
  db: PrismaClient,
  incidentId: string | undefined,
  out: string | undefined,
  asJson: boolean,
): Promise<number> {
  if (!incidentId) throw new UsageError('timeline needs --incident ID', usage);
  const timeline = await incidentTimeline(db, incidentId);
  if (!timeline) {
    process.stderr.write(`incident ${incidentId} not found\n`);
    return 1;
  }
  const text = asJson ? `${json(timeline)}\n` : timelineMarkdown(timeline);
  if (out) await writeFile(out, text);
  else process.stdout.write(text);
  return 0;
}

async function verifyCommand(db: PrismaClient): Promise<number> {
  const key = chainKey();
  const sink = await checkpointSink();
  const rows = await db.auditEvent.findMany({ orderBy: { seq: 'asc' } });
  const checkpoint = sink ? await sink.latest() : null;
  const report = verifyChains(rows, key, { checkpoint });
  const out = (line: string) => process.stdout.write(`${line}\n`);
  if (!key.keyed)
    out(
      'WARN: AUDIT_HMAC_KEY is not set: the chains use the public development key, so anyone who can write the table can also recompute its hashes',
    );
  if (!sink) out('WARN: AUDIT_CHECKPOINT_SINK is not set: deleting the newest rows of a chain cannot be detected');
  else if (!checkpoint)
    out(`WARN: no checkpoint in ${sink.description} yet: deleting the newest rows of a chain cannot be detected`);
  else
    out(
      `checkpoint: ${report.checkpoint?.at} from ${sink.description} covers seq ≤ ${report.checkpoint?.lastSeq}; ${report.uncoveredRows} newer event(s) are covered by their chains only`,
    );
  if (key.currentId || report.keys.size > 1 || !report.keys.has(null)) {
    const perKey = [...report.keys].map(([id, count]) =>
      id === null
        ? `${count} event(s) from before key ids under ${key.firstId ?? 'AUDIT_HMAC_KEY'}`
        : `${count} under ${id}`,
    );
    out(`keys: ${perKey.join(', ')}`);
  }
  if (report.unfilledGaps.length > 0)
    out(
      `gaps: seq ${report.unfilledGaps.join(', ')} never held a committed row (rolled-back inserts); no chain is missing a row there`,
    );
  for (const problem of report.problems) out(`FAIL ${problem.kind} seq ${problem.seq}: ${problem.message}`);
  out(
    report.ok
      ? `OK: ${report.rows} audit events in ${report.chains} chain(s) verified`
      : `FAILED: ${report.problems.length} problem(s) in ${report.rows} audit events`,
  );
  return report.ok ? 0 : 1;
}

async function checkpointCommand(db: PrismaClient): Promise<number> {
  const sink = await checkpointSink();
  if (!sink) throw new UsageError('checkpoint needs AUDIT_CHECKPOINT_SINK', usage);
  const checkpoint = await takeCheckpoint(db, chainKey());
  await sink.write(checkpoint);
  process.stdout.write(
    `checkpoint: ${checkpoint.rows} events in ${checkpoint.chains} chain(s) up to seq ${checkpoint.lastSeq} written to ${sink.description}\n`,
  );
  return 0;
}

export const auditCommand: Command = {
  usage,
  async run(argv) {
    const [sub, ...rest] = argv;
    const { values } = parseOptions(
      rest,
      { incident: { type: 'string' }, out: { type: 'string' }, json: { type: 'boolean' } },
      usage,
    );
    if (values.help || sub === '--help' || sub === '-h') {
      process.stdout.write(`${usage}\n`);
      return 0;
    }
    if (!['export', 'timeline', 'verify', 'checkpoint'].includes(sub ?? ''))
      throw new UsageError(`unknown audit command "${sub ?? ''}"`, usage);
    const db = connect();
    try {
      if (sub === 'export') return await exportCommand(db, values.incident, values.out);
      if (sub === 'timeline') return await timelineCommand(db, values.incident, values.out, values.json === true);
      return sub === 'verify' ? await verifyCommand(db) : await checkpointCommand(db);
    } finally {
      await db.$disconnect();
    }
  },
};
