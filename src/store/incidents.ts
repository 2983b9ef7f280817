import { randomUUID } from 'node:crypto';
import type { Alert } from '../alert/alert.ts';
import type { Incident, Investigation, Prisma, PrismaClient } from '../generated/prisma/client.ts';
import type { InvestigationResult } from '../investigation/model.ts';
import { storable } from '../redaction/policy.ts';
import { asJsonColumn } from './stored-json.ts';

/** The incident's key across sources: the source's own id, namespaced by the source. */
export const incidentKey = (source: Alert['source'], externalId: string): string => `${source}:${externalId}`;

export interface OpenedIncident {
  incident: Incident;
  /** False when the source already reported it (a PagerDuty retry, a duplicate webhook). */
  created: boolean;
}

/**
 * Records the incident once per source id. INSERT … ON CONFLICT DO NOTHING keeps twenty parallel
 * copies of one webhook down to one row, and tells the one that inserted it apart from the others.
 */
export async function openIncident(
  db: Prisma.TransactionClient,
  alert: Alert & { externalId: string },
  thread?: { channel: string; ts: string },
): Promise<OpenedIncident> {
  const externalId = incidentKey(alert.source, alert.externalId);
  // A credential pasted into a title or label is masked before it is stored (and shown from the store).
  const safe = storable(alert);
  const inserted = await db.$queryRaw<{ id: string }[]>`
    INSERT INTO "Incident" ("id", "source", "externalId", "title", "url", "alert", "slackChannel", "slackThreadTs", "updatedAt")
    VALUES (${randomUUID()}, ${alert.source}, ${externalId}, ${safe.title}, ${safe.url ?? null},
            ${JSON.stringify({ ...safe, externalId: alert.externalId })}::jsonb, ${thread?.channel ?? null}, ${thread?.ts ?? null}, now())
    ON CONFLICT ("externalId") DO NOTHING
    RETURNING "id"`;
  const incident = await db.incident.findUniqueOrThrow({ where: { externalId } });
  return { incident, created: inserted.length === 1 };
}

export function findIncident(db: PrismaClient, id: string): Promise<Incident | null> {
  return db.incident.findUnique({ where: { id } });
}

/** The incident a source reported under its own id; null if it never reported it to us. */
export function findIncidentByKey(
  db: PrismaClient,
  source: Alert['source'],
  externalId: string,
): Promise<Incident | null> {
  return db.incident.findUnique({ where: { externalId: incidentKey(source, externalId) } });
}

/** Saves the thread unless one is already recorded; returns the incident as stored (its thread wins). */
export async function saveThread(db: PrismaClient, incidentId: string, channel: string, ts: string): Promise<Incident> {
  await db.incident.updateMany({
    where: { id: incidentId, slackThreadTs: null },
    data: { slackChannel: channel, slackThreadTs: ts },
  });
  return db.incident.findUniqueOrThrow({ where: { id: incidentId } });
}

/** The investigation row of a job, created on its first attempt; each attempt is counted. */
export function beginInvestigation(db: PrismaClient, incidentId: string, jobId: string): Promise<Investigation> {
  return db.investigation.upsert({
    where: { jobId },
    create: { incidentId, jobId, status: 'running', attempts: 1, startedAt: new Date() },
    update: { status: 'running', attempts: { increment: 1 }, error: null },
  });
}

export function saveStatusTs(db: PrismaClient, id: string, statusTs: string): Promise<Investigation> {
  return db.investigation.update({ where: { id }, data: { statusTs } });
}

export function saveResult(db: PrismaClient, id: string, result: InvestigationResult): Promise<Investigation> {
  return db.investigation.update({
    where: { id },
    // The stored result is what the thread and exports show later: masked like them.
    data: { result: asJsonColumn(storable(result)) },
  });
}

export function finishInvestigation(db: PrismaClient, id: string, finalTs: string): Promise<Investigation> {
  return db.investigation.update({
    where: { id },
    data: { status: 'done', finalTs, finishedAt: new Date() },
  });
}

export function failInvestigation(db: PrismaClient, id: string, error: string): Promise<Investigation> {
  return db.investigation.update({ where: { id }, data: { status: 'failed', error: storable(error) } });
}
