import { randomUUID } from 'node:crypto';
import type { Alert } from '../alert/alert.ts';
import type { Incident, IncidentAlert, Investigation, Prisma, PrismaClient } from '../generated/prisma/client.ts';
import type { InvestigationResult } from '../investigation/model.ts';
import { storable } from '../redaction/policy.ts';
import { asJsonColumn } from './stored-json.ts';

/** The incident's key across sources: the source's own id, namespaced by the source. */
export const incidentKey = (source: Alert['source'], externalId: string): string => `${source}:${externalId}`;

export interface OpenedIncident {
  incident: Incident;
  /** False when the source already reported it (a PagerDuty retry, a duplicate webhook) or the alert joined. */
  created: boolean;
  /** The alert's own row (the incident's primary alert, or one that joined it); null for an incident stored before alert rows existed. */
  alert: IncidentAlert | null;
  /** True when this call added the alert to an open incident of its storm. */
  joined: boolean;
}

export interface OpenIncidentOptions {
  thread?: { channel: string; ts: string };
  /** The cluster the alert was routed to (null: the zero-config single cluster). */
  cluster?: string | null;
  /** The alert's grouping key and window: it joins an open incident with that key whose newest alert is that recent. */
  grouping?: { key: string; windowMs: number } | null;
}

/**
 * Records the alert once per source id, in a new incident or — during a storm — in the open incident of its
 * grouping key. Alerts of one key are placed one at a time (a transaction-scoped advisory lock on the key), so
 * thirty alerts of one fault arriving at once end in one incident, never in a race of thirty; alerts of other
 * keys do not wait. INSERT … ON CONFLICT DO NOTHING keeps parallel copies of one webhook down to one row.
 */
export async function openIncident(
  tx: Prisma.TransactionClient,
  alert: Alert & { externalId: string },
  options: OpenIncidentOptions = {},
): Promise<OpenedIncident> {
  const key = incidentKey(alert.source, alert.externalId);
  // A credential pasted into a title or label is masked before it is stored (and shown from the store).
  const safe = storable(alert);
  const stored = JSON.stringify({ ...safe, externalId: alert.externalId });
  const { thread, cluster = null, grouping = null } = options;
  // Held until the caller's transaction ends: the alerts of one key are placed one after the other.
  if (grouping) await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended(${grouping.key}, 0))`;
  const known = await tx.incidentAlert.findUnique({ where: { key } });
  if (known) {
    const incident = await tx.incident.findUniqueOrThrow({ where: { id: known.incidentId } });
    return { incident, created: false, alert: known, joined: false };
  }
  // Stored before alert rows existed (or by a concurrent copy that has not added its row yet).
  const existing = await tx.incident.findUnique({ where: { externalId: key } });
  if (existing) return { incident: existing, created: false, alert: null, joined: false };
  if (grouping && grouping.windowMs > 0) {
    const [open] = await tx.$queryRaw<{ id: string }[]>`
      SELECT "id" FROM "Incident"
      WHERE "groupingKey" = ${grouping.key} AND "status" <> 'resolved'
        AND "lastAlertAt" > now() - make_interval(secs => ${grouping.windowMs / 1000})
      ORDER BY "createdAt" DESC LIMIT 1`;
    if (open) {
      const joined = await tx.incidentAlert.create({
        data: { incidentId: open.id, key, title: safe.title, alert: JSON.parse(stored) as Prisma.InputJsonValue },
      });
      const incident = await tx.incident.update({ where: { id: open.id }, data: { lastAlertAt: new Date() } });
      return { incident, created: false, alert: joined, joined: true };
    }
  }
  const inserted = await tx.$queryRaw<{ id: string }[]>`
    INSERT INTO "Incident" ("id", "source", "externalId", "title", "url", "alert", "slackChannel", "slackThreadTs",
                            "groupingKey", "cluster", "updatedAt")
    VALUES (${randomUUID()}, ${alert.source}, ${key}, ${safe.title}, ${safe.url ?? null}, ${stored}::jsonb,
            ${thread?.channel ?? null}, ${thread?.ts ?? null}, ${grouping?.key ?? null}, ${cluster}, now())
    ON CONFLICT ("externalId") DO NOTHING
    RETURNING "id"`;
  const incident = await tx.incident.findUniqueOrThrow({ where: { externalId: key } });
  await tx.$executeRaw`
    INSERT INTO "IncidentAlert" ("id", "incidentId", "key", "primary", "title", "alert")
    VALUES (${randomUUID()}, ${incident.id}, ${key}, true, ${safe.title}, ${stored}::jsonb)
    ON CONFLICT ("key") DO NOTHING`;
  const own = await tx.incidentAlert.findUnique({ where: { key } });
  return { incident, created: inserted.length === 1, alert: own, joined: false };
}

/** The alert that started the incident's current round (a related alert left unexplained, or the alert that came back); null for round 1. */
export function alertOfRound(db: PrismaClient, incident: Incident): Promise<IncidentAlert | null> {
  return db.incidentAlert.findFirst({ where: { incidentId: incident.id, startedRound: incident.round } });
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

/** One alert of an incident resolved; how many of its alerts still fire (0: the incident can be resolved). */
export interface ResolvedAlert {
  incident: Incident;
  stillFiring: number;
}

/**
 * Marks one alert resolved (an incident stored before alert rows existed has none: it counts as its only alert);
 * null if the source never reported it to us. A storm ends when its last alert does (see the count below).
 */
export async function resolveAlert(
  db: PrismaClient,
  source: Alert['source'],
  externalId: string,
): Promise<ResolvedAlert | null> {
  const key = incidentKey(source, externalId);
  const alert = await db.incidentAlert.findUnique({ where: { key } });
  const incidentId = alert?.incidentId ?? (await db.incident.findUnique({ where: { externalId: key } }))?.id;
  if (!incidentId) return null;
  if (alert)
    await db.incidentAlert.updateMany({
      where: { id: alert.id, status: 'firing' },
      data: { status: 'resolved', resolvedAt: new Date() },
    });
  // No lock: each caller counts after its own update committed, so of concurrent resolutions the last to count sees
  // all of them and the last alert is never missed (several may count zero: the resolution's compare-and-set keeps
  // one). A row lock here held a pooled connection per waiting webhook, and a flood of resolutions drained the pool.
  const stillFiring = await db.incidentAlert.count({ where: { incidentId, status: 'firing' } });
  return { incident: await db.incident.findUniqueOrThrow({ where: { id: incidentId } }), stillFiring };
}

/** `alertId` came back and reopened its incident: it fires again and is what round `round` investigates. */
export async function markRoundStarter(db: PrismaClient, alertId: string, round: number): Promise<void> {
  await db.incidentAlert.update({
    where: { id: alertId },
    data: { status: 'firing', resolvedAt: null, startedRound: round },
  });
}

/** The alert fires again after it resolved (the incident itself may still be open): it counts as firing again. */
export async function refireAlert(db: PrismaClient, alertId: string): Promise<boolean> {
  const { count } = await db.incidentAlert.updateMany({
    where: { id: alertId, status: 'resolved' },
    data: { status: 'firing', resolvedAt: null },
  });
  return count === 1;
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
