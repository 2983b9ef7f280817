import type { AuditEvent, PrismaClient } from '../generated/prisma/client.ts';
import { planSpec } from '../remediation/plan-store.ts';
import { publicSpec } from '../remediation/redact.ts';
import type { ChainKey } from './chain-key.ts';
import { buildTimeline, type Timeline } from './timeline.ts';
import { verifyChains } from './verify.ts';

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

/**
 * Everything on record for one incident, as JSON: the incident, its plans and decisions, and its
 * audit chain in order, with the chain's own verification so the file can be judged on its own.
 */
export async function exportIncident(db: PrismaClient, incidentId: string, key: ChainKey) {
  const incident = await db.incident.findUnique({ where: { id: incidentId } });
  if (!incident) return null;
  const [events, plans] = await Promise.all([
    db.auditEvent.findMany({ where: { incidentId }, orderBy: { seq: 'asc' } }),
    db.plan.findMany({ where: { incidentId }, include: { approvals: true }, orderBy: { createdAt: 'asc' } }),
  ]);
  // Other chains' rows sit between this chain's seqs: gaps are judged against every seq in that range.
  const first = events[0]?.seq ?? 0n;
  const last = events.at(-1)?.seq ?? 0n;
  const seqs = await db.auditEvent.findMany({ where: { seq: { gte: first, lte: last } }, select: { seq: true } });
  const presentSeqs = new Set(seqs.map((row) => row.seq));
  const { problems } = verifyChains(events, key, { presentSeqs });
  return {
    exportedAt: new Date().toISOString(),
    incident,
    // Secret values stay in the database: snapshots are left out, values in plans masked.
    plans: plans.map(({ snapshot: _snapshot, ...plan }) => {
      const spec = publicSpec(planSpec(plan));
      return { ...plan, action: spec.action, spec };
    }),
    events: events.map(eventJson),
    chain: { ok: problems.length === 0, problems },
  };
}

/** The incident's timeline (src/audit/timeline.ts) from its audit chain; null when there is no such incident. */
export async function incidentTimeline(db: PrismaClient, incidentId: string): Promise<Timeline | null> {
  const incident = await db.incident.findUnique({ where: { id: incidentId }, select: { id: true } });
  if (!incident) return null;
  const events = await db.auditEvent.findMany({ where: { incidentId }, orderBy: { seq: 'asc' } });
  return buildTimeline(incidentId, events.map(eventJson));
}
