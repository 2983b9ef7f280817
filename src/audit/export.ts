import type { AuditEvent, Incident, PrismaClient } from '../generated/prisma/client.ts';
import { planSpec } from '../remediation/plan-store.ts';
import { publicSpec } from '../remediation/redact.ts';
import { StoredJsonError } from '../store/stored-json.ts';
import type { ChainKey } from './chain-key.ts';
import type { Checkpoint } from './checkpoint.ts';
import { buildTimeline, type Timeline } from './timeline.ts';
import { type VerifyReport, verifyChains } from './verify.ts';

/** An audit row as JSON (what `audit export` writes and src/audit/timeline.ts reads). */
export const eventJson = (event: AuditEvent) => ({
  seq: event.seq.toString(),
  at: event.at.toISOString(),
  actor: event.actor,
  action: event.action,
  target: event.target,
  justification: event.justification,
  details: event.details,
  prevHash: event.prevHash,
  hash: event.hash,
});

/** One incident as the database holds it, its audit chain in order and that chain verified. */
export interface IncidentRecord {
  incident: Incident;
  /** Plans with their decisions; Secret values masked, snapshots left out. */
  plans: Awaited<ReturnType<typeof readPlans>>;
  events: AuditEvent[];
  chain: VerifyReport;
}

async function readPlans(db: PrismaClient, incidentId: string) {
  const plans = await db.plan.findMany({
    where: { incidentId },
    include: { approvals: { orderBy: { createdAt: 'asc' } } },
    orderBy: { createdAt: 'asc' },
  });
  // Secret values stay in the database: snapshots are left out, values in plans masked.
  return plans.map(({ snapshot: _snapshot, ...plan }) => {
    try {
      const spec = publicSpec(planSpec(plan));
      return { ...plan, action: spec.action, spec, unreadable: null };
    } catch (error) {
      if (!(error instanceof StoredJsonError)) throw error;
      // A row that no longer fits its schema (edited in the database?) is named, not allowed to hide the rest of the
      // record; its action and spec stay out, as they might carry a value the masking could not find.
      return { ...plan, action: null, spec: null, unreadable: error.message };
    }
  });
}

/**
 * Reads one incident, its plans and its audit chain, and verifies the chain (against `checkpoint`, the newest one
 * read back from outside Postgres, when given). Null when there is no such incident.
 */
export async function readIncidentRecord(
  db: PrismaClient,
  incidentId: string,
  key: ChainKey,
  checkpoint: Checkpoint | null = null,
): Promise<IncidentRecord | null> {
  const incident = await db.incident.findUnique({ where: { id: incidentId } });
  if (!incident) return null;
  const [events, plans] = await Promise.all([
    db.auditEvent.findMany({ where: { incidentId }, orderBy: { seq: 'asc' } }),
    readPlans(db, incidentId),
  ]);
  // Other chains' rows sit between this chain's seqs: gaps are judged against every seq in that range.
  const first = events[0]?.seq ?? 0n;
  const last = events.at(-1)?.seq ?? 0n;
  const seqs = await db.auditEvent.findMany({ where: { seq: { gte: first, lte: last } }, select: { seq: true } });
  const presentSeqs = new Set(seqs.map((row) => row.seq));
  const chain = verifyChains(events, key, { presentSeqs, checkpoint, onlyChains: [incidentId] });
  return { incident, plans, events, chain };
}

/**
 * Everything on record for one incident, as JSON: the incident, its plans and decisions, and its
 * audit chain in order, with the chain's own verification so the file can be judged on its own.
 */
export function recordJson(record: IncidentRecord, exportedAt: Date) {
  const { ok, problems, checkpoint, uncoveredRows } = record.chain;
  return {
    exportedAt: exportedAt.toISOString(),
    incident: record.incident,
    plans: record.plans,
    events: record.events.map(eventJson),
    chain: { ok, problems, checkpoint, uncoveredRows },
  };
}

export async function exportIncident(
  db: PrismaClient,
  incidentId: string,
  key: ChainKey,
  checkpoint: Checkpoint | null = null,
) {
  const record = await readIncidentRecord(db, incidentId, key, checkpoint);
  return record ? recordJson(record, new Date()) : null;
}

/** The incident's timeline (src/audit/timeline.ts) from its audit chain; null when there is no such incident. */
export async function incidentTimeline(db: PrismaClient, incidentId: string): Promise<Timeline | null> {
  const incident = await db.incident.findUnique({ where: { id: incidentId }, select: { id: true } });
  if (!incident) return null;
  const events = await db.auditEvent.findMany({ where: { incidentId }, orderBy: { seq: 'asc' } });
  return buildTimeline(incidentId, events.map(eventJson));
}
