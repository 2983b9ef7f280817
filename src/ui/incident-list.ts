import { z } from 'zod';
import type { Prisma, PrismaClient } from '../generated/prisma/client.ts';
import { FAULT_TYPES } from '../investigation/model.ts';
import { EXECUTED_PLAN_STATUSES, type IncidentSummary, summarise } from './incident-summary.ts';

export const INCIDENT_STATUSES = ['triggered', 'investigating', 'diagnosed', 'resolved'] as const;
/** Incidents per page of the list. */
const PAGE_SIZE = 50;

// An empty form field means "any".
const field = <S extends z.ZodType>(schema: S) =>
  z.preprocess((value) => (value === '' ? undefined : value), schema.optional());
const name = z.string().trim().min(1).max(253);

/** The list's filters, from the query string of GET /ui/incidents. */
export const IncidentFilterSchema = z
  .object({
    from: field(z.iso.date('from: a date, YYYY-MM-DD')),
    to: field(z.iso.date('to: a date, YYYY-MM-DD')),
    status: field(z.enum(INCIDENT_STATUSES, 'status: one of triggered, investigating, diagnosed, resolved')),
    cluster: field(name),
    namespace: field(name),
    fault: field(z.enum(FAULT_TYPES, 'fault: a fault type of the catalogue')),
    changed: field(z.enum(['yes', 'no'], 'changed: yes or no')),
    /** Paging: incidents created before this instant (the last one of the previous page). */
    before: field(z.iso.datetime('before: an ISO time')),
  })
  .strict();
export type IncidentFilter = z.infer<typeof IncidentFilterSchema>;

export function parseFilter(query: URLSearchParams): { filter: IncidentFilter } | { error: string } {
  const parsed = IncidentFilterSchema.safeParse(Object.fromEntries(query));
  if (parsed.success) return { filter: parsed.data };
  return { error: parsed.error.issues.map((issue) => issue.message).join('; ') };
}

const dayAfter = (date: string) => new Date(Date.parse(`${date}T00:00:00Z`) + 86_400_000);

/** The filters as one Prisma query: everything is decided by Postgres, so paging never hides a match. */
function where(filter: IncidentFilter): Prisma.IncidentWhereInput {
  const and: Prisma.IncidentWhereInput[] = [];
  // The earlier of the day after `to` and the paging cursor.
  const upper = [filter.to ? dayAfter(filter.to) : null, filter.before ? new Date(filter.before) : null]
    .filter((date): date is Date => date !== null)
    .sort((a, b) => a.getTime() - b.getTime())[0];
  const createdAt = {
    ...(filter.from ? { gte: new Date(`${filter.from}T00:00:00Z`) } : {}),
    ...(upper ? { lt: upper } : {}),
  };
  if (Object.keys(createdAt).length > 0) and.push({ createdAt });
  if (filter.status) and.push({ status: filter.status });
  // The cluster the incident was routed to; incidents stored before routing existed have it in their labels only.
  if (filter.cluster)
    and.push({
      OR: [
        { cluster: filter.cluster },
        { cluster: null, alert: { path: ['labels', 'cluster'], equals: filter.cluster } },
      ],
    });
  if (filter.namespace)
    and.push({
      OR: [
        { alert: { path: ['labels', 'namespace'], equals: filter.namespace } },
        { investigations: { some: { result: { path: ['rootCause', 'namespace'], equals: filter.namespace } } } },
      ],
    });
  if (filter.fault) and.push({ investigations: { some: { result: { path: ['faultType'], equals: filter.fault } } } });
  const executed = { plans: { some: { status: { in: [...EXECUTED_PLAN_STATUSES] } } } };
  if (filter.changed === 'yes') and.push(executed);
  if (filter.changed === 'no') and.push({ NOT: executed });
  return { AND: and };
}

export interface IncidentPage {
  incidents: IncidentSummary[];
  /** The `before` of the next (older) page, when there is one. */
  olderThan: string | null;
}

export async function listIncidents(db: PrismaClient, filter: IncidentFilter): Promise<IncidentPage> {
  const rows = await db.incident.findMany({
    where: where(filter),
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    take: PAGE_SIZE + 1,
    include: {
      investigations: { select: { status: true, result: true, finishedAt: true }, orderBy: { createdAt: 'asc' } },
      plans: { select: { status: true }, orderBy: { createdAt: 'asc' } },
    },
  });
  const page = rows.slice(0, PAGE_SIZE);
  return {
    incidents: page.map((row) => summarise(row, row.investigations, row.plans)),
    olderThan: rows.length > PAGE_SIZE ? (page.at(-1)?.createdAt.toISOString() ?? null) : null,
  };
}
