import { randomUUID } from 'node:crypto';
import type { Alert } from '../alert/alert.ts';
import type pg from 'pg';
import type { Incident, IncidentAlert, Investigation, PrismaClient } from '../generated/prisma/client.ts';
import type { InvestigationResult } from '../investigation/model.ts';
import { storable } from '../redaction/policy.ts';
import { poolOf, withLiterals } from './db.ts';

/** The incident's key across sources: the source's own id, namespaced by the source. */
export const incidentKey = (source: Alert['source'], externalId: string): string => `${source}:${externalId}`;

/** What intake reads of the alert's row. */
export type PlacedAlert = Pick<IncidentAlert, 'id' | 'key' | 'primary' | 'status'>;

/** What intake reads of the incident: which round of it is open, in which status. */
export type IncidentState = Pick<Incident, 'id' | 'status' | 'round'>;

export interface PlacedIncident {
  incident: IncidentState;
  /** False when the source already reported it (a PagerDuty retry, a duplicate webhook) or the alert joined. */
  created: boolean;
  /** The alert's own row (the incident's primary alert, or one that joined it); null for an incident stored before alert rows existed. */
  alert: PlacedAlert | null;
  /** True when this call added the alert to an open incident of its storm. */
  joined: boolean;
  /** A new incident placed by placeAloneSql: the values of its `reserved` expression. */
  reserved?: string[];
}

export interface OpenIncidentOptions {
  thread?: { channel: string; ts: string };
  /** The cluster the alert was routed to (null: the zero-config single cluster). */
  cluster?: string | null;
  /** The alert's grouping key and window: it joins an open incident with that key whose newest alert is that recent. */
  grouping?: { key: string; windowMs: number } | null;
}

/** The fields intake reads of the incident (`i`) and of the alert's row (`a`), each as one JSON column. */
const INCIDENT_STATE = `json_build_object('id', i."id", 'status', i."status", 'round', i."round")`;
const PLACED_ALERT = `json_build_object('id', a."id", 'key', a."key", 'primary', a."primary", 'status', a."status")`;

type Placed = Pick<PlacedIncident, 'incident' | 'alert'>;

/** The alert's own row and its incident, or else an incident stored before alert rows existed (`key`: its parameter). */
const seenSql = (key: string) => `(SELECT ${INCIDENT_STATE} AS "incident", ${PLACED_ALERT} AS "alert", 1 AS "preferred"
    FROM "IncidentAlert" a JOIN "Incident" i ON i."id" = a."incidentId" WHERE a."key" = ${key})
  UNION ALL
  (SELECT ${INCIDENT_STATE}, NULL, 2 FROM "Incident" i WHERE i."externalId" = ${key})
  ORDER BY "preferred" LIMIT 1`;

/** A new incident's row, parameters $1–$10 (see openIncident's `incidentRow`). */
const INCIDENT_VALUES = '$1, $2, $3, $4, $5, $6::jsonb, $7, $8, $9, $10, now()';

/**
 * The incident (`i`) and its primary alert (`a`) as CTEs, the incident's row from `row` (a VALUES or a SELECT of
 * INCIDENT_VALUES); when a concurrent copy inserted first, neither is.
 */
const insertIncidentSql = (row: string) => `i AS (
    INSERT INTO "Incident" ("id", "source", "externalId", "title", "url", "alert", "slackChannel", "slackThreadTs",
                            "groupingKey", "cluster", "updatedAt")
    ${row}
    ON CONFLICT ("externalId") DO NOTHING
    RETURNING "id", "status", "round"
  ), a AS (
    INSERT INTO "IncidentAlert" ("id", "incidentId", "key", "primary", "title", "alert")
    SELECT $11, i."id", $3, true, $4, $6::jsonb FROM i
    ON CONFLICT ("key") DO NOTHING
    RETURNING *
  )`;

/** What is stored of an alert: its key, its masked text, and the row of the incident it would open. */
function storedAlert(alert: Alert & { externalId: string }, options: OpenIncidentOptions) {
  const key = incidentKey(alert.source, alert.externalId);
  // A credential pasted into a title or label is masked before it is stored (and shown from the store).
  const safe = storable(alert);
  const stored = JSON.stringify({ ...safe, externalId: alert.externalId });
  const { thread, cluster = null, grouping = null } = options;
  const incidentRow = [
    randomUUID(),
    alert.source,
    key,
    safe.title,
    safe.url ?? null,
    stored,
    thread?.channel ?? null,
    thread?.ts ?? null,
    grouping?.key ?? null,
    cluster,
    randomUUID(),
  ];
  return { key, safe, stored, incidentRow };
}

/** The alert joins no storm (no grouping key, or grouping off): placed by placeAloneSql, not under a key's lock. */
export const placedAlone = (options: OpenIncidentOptions): boolean =>
  options.grouping === null || options.grouping === undefined || options.grouping.windowMs <= 0;

/**
 * With no storm to join: what was seen of the alert, or else the new incident, in one statement (one round trip)
 * whose values are literals, so that it can travel in the message that opens the transaction. `reserved`, an SQL
 * expression of an array, is evaluated only when this statement creates the incident (the seqs of its first audit
 * rows); PlacedIncident.reserved holds its values as text.
 */
export function placeAloneSql(
  alert: Alert & { externalId: string },
  options: OpenIncidentOptions = {},
  reserved = 'NULL',
): string {
  const { incidentRow } = storedAlert(alert, options);
  return withLiterals(
    `WITH seen AS (${seenSql('$3')}),
     ${insertIncidentSql(`SELECT ${INCIDENT_VALUES} WHERE NOT EXISTS (SELECT 1 FROM seen)`)}
     SELECT "incident", "alert", false AS "created", NULL::text[] AS "reserved" FROM seen
     UNION ALL
     SELECT ${INCIDENT_STATE}, (SELECT ${PLACED_ALERT} FROM a), true, (${reserved})::text[] FROM i`,
    incidentRow,
  );
}

/** What placeAloneSql's statement answered (`placed`), in the caller's transaction. */
export async function placeAloneResult(
  tx: pg.ClientBase,
  alert: Alert & { externalId: string },
  placed: pg.QueryResult,
): Promise<PlacedIncident> {
  const [row] = placed.rows as (Placed & { created: boolean; reserved: string[] | null })[];
  if (row) {
    const { incident, alert: placedAlert, created, reserved } = row;
    return { incident, alert: placedAlert, created, joined: false, ...(reserved ? { reserved } : {}) };
  }
  return firstCopy(tx, incidentKey(alert.source, alert.externalId));
}

/**
 * Records the alert once per source id, in a new incident or — during a storm — in the open incident of its
 * grouping key, in the caller's transaction (`tx`: src/store/db.ts inTransaction; pg directly, this runs for every
 * webhook). Alerts of one key are placed one at a time (a transaction-scoped advisory lock on the key), so thirty
 * alerts of one fault arriving at once end in one incident, never in a race of thirty; alerts of other keys do not
 * wait. INSERT … ON CONFLICT DO NOTHING keeps parallel copies of one webhook down to one row.
 */
export async function openIncident(
  tx: pg.ClientBase,
  alert: Alert & { externalId: string },
  options: OpenIncidentOptions = {},
): Promise<PlacedIncident> {
  const { grouping } = options;
  if (!grouping || placedAlone(options))
    return placeAloneResult(tx, alert, await tx.query(placeAloneSql(alert, options)));
  const { key, safe, stored, incidentRow } = storedAlert(alert, options);
  // Held until the caller's transaction ends: the alerts of one key are placed one after the other.
  await tx.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [grouping.key]);
  const seen = await tx.query<Placed>(seenSql('$1'), [key]);
  const [known] = seen.rows;
  if (known) return { ...known, created: false, joined: false };
  // The open incident of the storm, if any, takes the alert and its time as the storm's newest.
  const joined = await tx.query<Placed>(
    `WITH i AS (
       SELECT "id", "status", "round" FROM "Incident"
       WHERE "groupingKey" = $1 AND "status" <> 'resolved' AND "lastAlertAt" > now() - make_interval(secs => $2)
       ORDER BY "createdAt" DESC LIMIT 1
     ), newest AS (
       UPDATE "Incident" SET "lastAlertAt" = now(), "updatedAt" = now() WHERE "id" IN (SELECT "id" FROM i)
     ), a AS (
       INSERT INTO "IncidentAlert" ("id", "incidentId", "key", "title", "alert")
       SELECT $3, "id", $4, $5, $6::jsonb FROM i
       RETURNING *
     )
     SELECT ${INCIDENT_STATE} AS "incident", ${PLACED_ALERT} AS "alert" FROM i, a`,
    [grouping.key, grouping.windowMs / 1000, randomUUID(), key, safe.title, stored],
  );
  const [row] = joined.rows;
  if (row) return { ...row, created: false, joined: true };
  const inserted = await tx.query<Placed>(
    `WITH ${insertIncidentSql(`VALUES (${INCIDENT_VALUES})`)}
     SELECT ${INCIDENT_STATE} AS "incident", (SELECT ${PLACED_ALERT} FROM a) AS "alert" FROM i`,
    incidentRow,
  );
  const [created] = inserted.rows;
  if (created) return { ...created, created: true, joined: false };
  return firstCopy(tx, key);
}

/** The copy that inserted first holds both rows (ON CONFLICT waited for it to commit). */
async function firstCopy(tx: pg.ClientBase, key: string): Promise<PlacedIncident> {
  const first = await tx.query<Placed>(
    `SELECT ${INCIDENT_STATE} AS "incident", (SELECT ${PLACED_ALERT} FROM "IncidentAlert" a WHERE a."key" = $1) AS "alert"
     FROM "Incident" i WHERE i."externalId" = $1`,
    [key],
  );
  const [row] = first.rows;
  if (!row) throw new Error(`incident ${key} was neither inserted nor found`);
  return { ...row, created: false, joined: false };
}

/**
 * A DateTime column as Prisma reads it: Prisma stores UTC without a time zone, and pg would read such a value in the
 * process's own zone; as a timestamptz it comes back as the same instant Prisma gives.
 */
const utc = (column: string) => `${column} AT TIME ZONE 'UTC' AS ${column.replace(/^\w+\./, '')}`;

/** Every column of an incident (`i`), typed as Prisma reads them: for the statements the worker sends with pg. */
export const INCIDENT_COLUMNS = [
  ...['id', 'source', 'externalId', 'title', 'url'].map((column) => `i."${column}"`),
  `i."status"::text AS "status"`,
  ...['alert', 'slackChannel', 'slackThreadTs'].map((column) => `i."${column}"`),
  ...['createdAt', 'updatedAt', 'resolvedAt'].map((column) => utc(`i."${column}"`)),
  `i."round"`,
  `i."groupingKey"`,
  utc(`i."lastAlertAt"`),
  `i."cluster"`,
].join(', ');

/** Every column of an incident's alert (`a`), typed as Prisma reads them. */
const ALERT_COLUMNS = [
  ...['id', 'incidentId', 'key', 'primary', 'title', 'alert', 'status', 'explained', 'explanation', 'startedRound'].map(
    (column) => `a."${column}"`,
  ),
  utc(`a."joinedAt"`),
  utc(`a."resolvedAt"`),
].join(', ');

/**
 * The alert that started the incident's current round (a related alert left unexplained, or the alert that came back);
 * null for round 1. pg directly, as every read the worker makes per investigation.
 */
export async function alertOfRound(db: PrismaClient, incident: Incident): Promise<IncidentAlert | null> {
  const { rows } = await poolOf(db).query<IncidentAlert>(
    `SELECT ${ALERT_COLUMNS} FROM "IncidentAlert" a WHERE a."incidentId" = $1 AND a."startedRound" = $2 LIMIT 1`,
    [incident.id, incident.round],
  );
  return rows[0] ?? null;
}

type ThreadAndRelated = { slackChannel: string | null; slackThreadTs: string | null; related: number };

/**
 * The incident's thread and how many related alerts joined it (alerts not its own): whether a related-alerts message
 * is due, read by every investigation as it starts. Null when there is no such incident.
 */
export async function threadAndRelatedCount(db: PrismaClient, incidentId: string): Promise<ThreadAndRelated | null> {
  const { rows } = await poolOf(db).query<ThreadAndRelated>(
    `SELECT i."slackChannel", i."slackThreadTs",
       (SELECT count(*)::int FROM "IncidentAlert" a WHERE a."incidentId" = i."id" AND NOT a."primary") AS "related"
     FROM "Incident" i WHERE i."id" = $1`,
    [incidentId],
  );
  return rows[0] ?? null;
}

/**
 * The incident's related alerts (not its own) still firing that no answer has checked yet, or found unexplained and
 * still waiting for a round of their own, oldest first: read after every answer, mostly to find there are none.
 */
export async function pendingRelatedAlerts(db: PrismaClient, incidentId: string): Promise<IncidentAlert[]> {
  const { rows } = await poolOf(db).query<IncidentAlert>(
    `SELECT ${ALERT_COLUMNS} FROM "IncidentAlert" a
     WHERE a."incidentId" = $1 AND NOT a."primary" AND a."status" = 'firing'
       AND (a."explained" IS NULL OR (a."explained" = false AND a."startedRound" IS NULL))
     ORDER BY a."joinedAt"`,
    [incidentId],
  );
  return rows;
}

/** The incident as Prisma reads it, with pg directly (the worker reads it at the start of every investigation). */
export async function findIncident(db: PrismaClient, id: string): Promise<Incident | null> {
  const { rows } = await poolOf(db).query<Incident>(`SELECT ${INCIDENT_COLUMNS} FROM "Incident" i WHERE i."id" = $1`, [
    id,
  ]);
  return rows[0] ?? null;
}

export async function findIncidentOrThrow(db: PrismaClient, id: string): Promise<Incident> {
  const incident = await findIncident(db, id);
  if (!incident) throw new Error(`incident ${id} does not exist`);
  return incident;
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

/**
 * The compare-and-set of an incident's status: only a resolved incident reopens (`triggered`, in a new round);
 * anything else moves forward, never out of resolved nor to where it is. The incident comes back as moved, with the
 * status it left, so it is not read again; null when it did not move. pg directly: every investigation moves its
 * incident twice.
 */
export async function moveIncidentStatus(
  db: PrismaClient,
  incidentId: string,
  to: 'investigating' | 'diagnosed' | 'resolved' | 'triggered',
): Promise<{ previous: string; incident: Incident } | null> {
  const { rows } = await poolOf(db).query<Incident & { previous: string }>(
    to === 'triggered'
      ? `UPDATE "Incident" AS i SET "status" = 'triggered', "resolvedAt" = NULL, "round" = i."round" + 1,
           "updatedAt" = now() AT TIME ZONE 'UTC'
         WHERE i."id" = $1 AND i."status" = 'resolved'
         RETURNING 'resolved' AS previous, ${INCIDENT_COLUMNS}`
      : `UPDATE "Incident" AS i SET "status" = $2::"IncidentStatus", "updatedAt" = now() AT TIME ZONE 'UTC',
           "resolvedAt" = CASE WHEN $2::"IncidentStatus" = 'resolved' THEN now() AT TIME ZONE 'UTC' ELSE i."resolvedAt" END
         FROM (SELECT "id", "status" AS previous FROM "Incident" WHERE "id" = $1 FOR UPDATE) AS old
         WHERE i."id" = old."id" AND old.previous NOT IN ('resolved', $2::"IncidentStatus")
         RETURNING old.previous::text AS previous, ${INCIDENT_COLUMNS}`,
    to === 'triggered' ? [incidentId] : [incidentId, to],
  );
  const [made] = rows;
  if (!made) return null;
  const { previous, ...incident } = made;
  return { previous, incident };
}

/** Saves the thread unless one is already recorded; returns the incident as stored (its thread wins). */
export async function saveThread(db: PrismaClient, incidentId: string, channel: string, ts: string): Promise<Incident> {
  // The incident as saved comes back from the UPDATE; only when a thread was already recorded is it read.
  const { rows } = await poolOf(db).query<Incident>(
    `UPDATE "Incident" AS i SET "slackChannel" = $2, "slackThreadTs" = $3, "updatedAt" = now() AT TIME ZONE 'UTC'
     WHERE i."id" = $1 AND i."slackThreadTs" IS NULL
     RETURNING ${INCIDENT_COLUMNS}`,
    [incidentId, channel, ts],
  );
  return rows[0] ?? findIncidentOrThrow(db, incidentId);
}

/** A JS time as Prisma stores a DateTime (UTC, to the millisecond), for statements sent with pg directly. */
const UTC_TIME = (parameter: string) => `${parameter}::timestamptz AT TIME ZONE 'UTC'`;

/** The investigation row of a job, created on its first attempt; each attempt is counted. One statement (an upsert). */
export async function beginInvestigation(db: PrismaClient, incidentId: string, jobId: string): Promise<Investigation> {
  const { rows } = await poolOf(db).query<Investigation>(
    `INSERT INTO "Investigation" AS v ("id", "incidentId", "jobId", "status", "attempts", "startedAt")
     VALUES ($1, $2, $3, 'running', 1, ${UTC_TIME('$4')})
     ON CONFLICT ("jobId") DO UPDATE SET "status" = 'running', "attempts" = v."attempts" + 1, "error" = NULL
     RETURNING ${INVESTIGATION_COLUMNS}`,
    [randomUUID(), incidentId, jobId, new Date().toISOString()],
  );
  const [row] = rows;
  if (!row) throw new Error(`investigation of job ${jobId} was neither inserted nor updated`);
  return row;
}

/** Every column of an investigation (`v`), typed as Prisma reads them. */
const INVESTIGATION_COLUMNS = [
  ...['id', 'incidentId', 'jobId', 'status', 'statusTs', 'finalTs', 'result', 'error', 'attempts'].map(
    (column) => `v."${column}"`,
  ),
  ...['startedAt', 'finishedAt', 'createdAt'].map((column) => utc(`v."${column}"`)),
].join(', ');

/**
 * The writes of an investigation's row as it runs, with pg directly (the worker makes them for every investigation,
 * and Prisma's per-statement cost was most of theirs); each fails if the row is not there, as Prisma's update did.
 */
async function updateInvestigation(db: PrismaClient, id: string, set: string, values: unknown[]): Promise<void> {
  const { rowCount } = await poolOf(db).query(`UPDATE "Investigation" SET ${set} WHERE "id" = $1`, [id, ...values]);
  if (rowCount !== 1) throw new Error(`investigation ${id} does not exist`);
}

export function saveStatusTs(db: PrismaClient, id: string, statusTs: string): Promise<void> {
  return updateInvestigation(db, id, '"statusTs" = $2', [statusTs]);
}

export function saveResult(db: PrismaClient, id: string, result: InvestigationResult): Promise<void> {
  // The stored result is what the thread and exports show later: masked like them.
  return updateInvestigation(db, id, '"result" = $2::jsonb', [JSON.stringify(storable(result))]);
}

export function finishInvestigation(db: PrismaClient, id: string, finalTs: string): Promise<void> {
  return updateInvestigation(db, id, `"status" = 'done', "finalTs" = $2, "finishedAt" = ${UTC_TIME('$3')}`, [
    finalTs,
    new Date().toISOString(),
  ]);
}

export function failInvestigation(db: PrismaClient, id: string, error: string): Promise<void> {
  return updateInvestigation(db, id, `"status" = 'failed', "error" = $2`, [storable(error)]);
}
