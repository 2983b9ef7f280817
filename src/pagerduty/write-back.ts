import type { webApi } from '@slack/bolt';
import { type ConnectionOptions, type Job, Queue, UnrecoverableError, Worker } from 'bullmq';
import { z } from 'zod';
import { AlertSchema } from '../alert/alert.ts';
import type { AuditLog } from '../audit/audit-log.ts';
import type { Incident, PrismaClient } from '../generated/prisma/client.ts';
import { redact } from '../redaction/policy.ts';
import { parseStored } from '../store/stored-json.ts';
import { StoredResultSchema } from '../store/stored-result.ts';
import { VisibleState } from '../slack/visible-state.ts';
import { type PagerDutyClient, PagerDutyError } from './client.ts';
import { noteContent } from './note.ts';
import { PAGERDUTY_MESSAGE_KEY, pagerDutyMessage, pagerDutySide } from './thread-message.ts';
import { errorMessage } from '../observability/error-message.ts';

/**
 * PagerDuty write-back runs on its own queue, off the investigation's path: the thread never waits for
 * PagerDuty, and a PagerDuty outage only delays (then, quietly, fails) the note or the status change.
 */
export const PAGERDUTY_QUEUE = 'pagerduty';

const JobSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('note'), incidentId: z.uuid(), investigationId: z.uuid() }),
  z.object({
    kind: z.literal('status'),
    incidentId: z.uuid(),
    status: z.enum(['acknowledged', 'resolved']),
    userId: z.string().min(1),
    channelId: z.string().min(1),
  }),
]);
export type WriteBackJob = z.infer<typeof JobSchema>;

/** Job attempts and the first backoff (doubled each time): with the client's own retries, about 10 minutes. */
const JOB_ATTEMPTS = 5;
const JOB_BACKOFF_MS = 10_000;

export interface WriteBackQueue {
  enqueueNote(incidentId: string, investigationId: string): Promise<void>;
  enqueueStatus(job: Omit<Extract<WriteBackJob, { kind: 'status' }>, 'kind'> & { clickId: string }): Promise<void>;
  close(): Promise<void>;
}

export function createWriteBackQueue(
  connection: ConnectionOptions,
  prefix?: string,
  backoffMs = JOB_BACKOFF_MS,
): WriteBackQueue {
  const queue = new Queue<WriteBackJob>(PAGERDUTY_QUEUE, { connection, ...(prefix ? { prefix } : {}) });
  const options = {
    attempts: JOB_ATTEMPTS,
    backoff: { type: 'exponential', delay: backoffMs },
    removeOnComplete: 1000,
    removeOnFail: 1000,
  };
  return {
    // One note per answer: the job id is the investigation's, so a retried worker queues it once.
    enqueueNote: async (incidentId, investigationId) => {
      await queue.add(
        'note',
        { kind: 'note', incidentId, investigationId },
        { ...options, jobId: `note-${investigationId}` },
      );
    },
    // One job per click (Slack redelivers a click it thinks was not acknowledged).
    enqueueStatus: async ({ clickId, ...job }) => {
      await queue.add('status', { kind: 'status', ...job }, { ...options, jobId: `status-${clickId}` });
    },
    close: () => queue.close(),
  };
}

export interface WriteBackDeps {
  db: PrismaClient;
  audit: AuditLog;
  slack: webApi.WebClient;
  client: PagerDutyClient;
}

/** The PagerDuty incident behind one of ours, or null when it did not come from PagerDuty. */
export function pagerDutyIncidentId(incident: Pick<Incident, 'source' | 'alert'>): string | null {
  if (incident.source !== 'pagerduty') return null;
  return AlertSchema.safeParse(incident.alert).data?.externalId ?? null;
}

/** Posts the thread's PagerDuty message once, or re-renders it from the audit trail. */
export async function showPagerDutySide(deps: Omit<WriteBackDeps, 'client'>, incidentId: string): Promise<void> {
  const incident = await deps.db.incident.findUnique({ where: { id: incidentId } });
  const pagerDutyId = incident && pagerDutyIncidentId(incident);
  if (!incident || !pagerDutyId || !incident.slackChannel || !incident.slackThreadTs) return;
  const events = await deps.db.auditEvent.findMany({
    where: { incidentId: incident.id, action: { startsWith: 'pagerduty.' } },
    orderBy: { seq: 'asc' },
  });
  const message = pagerDutyMessage(
    { id: incident.id, url: incident.url, pagerDutyId, resolved: incident.status === 'resolved' },
    pagerDutySide(events),
  );
  const visible = new VisibleState(deps);
  const place = { incidentId: incident.id, channel: incident.slackChannel, threadTs: incident.slackThreadTs };
  const known = await deps.db.slackMessage.findUnique({ where: { key: `${incident.id}:${PAGERDUTY_MESSAGE_KEY}` } });
  if (known?.ts) await visible.edit(place, known.ts, message, 'pagerduty');
  else await visible.post(place, PAGERDUTY_MESSAGE_KEY, message, 'pagerduty');
}

async function threadLink(deps: WriteBackDeps, channel: string, ts: string): Promise<string | null> {
  try {
    return (await deps.slack.chat.getPermalink({ channel, message_ts: ts })).permalink ?? null;
  } catch {
    return null;
  }
}

const failureText = (error: unknown) =>
  error instanceof PagerDutyError
    ? `${error.message}${error.retryable ? `, after ${error.attempts} attempt(s)` : ''}`
    : errorMessage(error);

async function addNote(deps: WriteBackDeps, job: Extract<WriteBackJob, { kind: 'note' }>, last: boolean) {
  const incident = await deps.db.incident.findUnique({ where: { id: job.incidentId } });
  const investigation = await deps.db.investigation.findUnique({ where: { id: job.investigationId } });
  const pagerDutyId = incident && pagerDutyIncidentId(incident);
  if (!incident || !pagerDutyId || !investigation?.result)
    throw new UnrecoverableError(`incident ${job.incidentId} has no PagerDuty incident or no answer to write`);
  // A retry after PagerDuty stored the note but its answer was lost must not add it twice.
  const done = await deps.db.auditEvent.count({
    where: {
      incidentId: incident.id,
      action: 'pagerduty.note.added',
      details: { path: ['investigationId'], equals: investigation.id },
    },
  });
  if (done > 0) return;
  const link =
    incident.slackChannel && (investigation.finalTs ?? incident.slackThreadTs)
      ? await threadLink(deps, incident.slackChannel, investigation.finalTs ?? incident.slackThreadTs!)
      : null;
  // What leaves for PagerDuty is masked like every other way out.
  const content = redact(
    noteContent(
      parseStored(StoredResultSchema, investigation.result, `investigation ${investigation.id}: its result`),
      link,
    ),
  );
  try {
    const noteId = await deps.client.addNote(pagerDutyId, content);
    await deps.audit.record({
      actor: 'bot',
      action: 'pagerduty.note.added',
      target: `pagerduty:${pagerDutyId}`,
      incidentId: incident.id,
      details: { noteId, investigationId: investigation.id, threadLink: link },
    });
  } catch (error) {
    const final = last || (error instanceof PagerDutyError && !error.retryable);
    if (!final) throw error;
    await deps.audit.record({
      actor: 'bot',
      action: 'pagerduty.note.failed',
      target: `pagerduty:${pagerDutyId}`,
      incidentId: incident.id,
      justification: failureText(error),
      details: { investigationId: investigation.id },
    });
  }
  await showPagerDutySide(deps, incident.id).catch(() => undefined);
}

async function setStatus(deps: WriteBackDeps, job: Extract<WriteBackJob, { kind: 'status' }>, last: boolean) {
  const incident = await deps.db.incident.findUnique({ where: { id: job.incidentId } });
  const pagerDutyId = incident && pagerDutyIncidentId(incident);
  if (!incident || !pagerDutyId) throw new UnrecoverableError(`incident ${job.incidentId} is not a PagerDuty incident`);
  const actor = `slack:${job.userId}`;
  try {
    await deps.client.setStatus(pagerDutyId, job.status);
    await deps.audit.record({
      actor,
      action: `pagerduty.${job.status}`,
      target: `pagerduty:${pagerDutyId}`,
      incidentId: incident.id,
      details: { status: job.status },
    });
    // Resolved at the source: ours follows now rather than when (or if) PagerDuty's webhook comes back.
    if (job.status === 'resolved') await new VisibleState(deps).resolveIncident(incident.id, actor);
  } catch (error) {
    const final = last || (error instanceof PagerDutyError && !error.retryable);
    if (!final) throw error;
    await deps.audit.record({
      actor,
      action: 'pagerduty.update.failed',
      target: `pagerduty:${pagerDutyId}`,
      incidentId: incident.id,
      justification: failureText(error),
      details: { status: job.status },
    });
    await deps.slack.chat
      .postEphemeral({
        channel: job.channelId,
        user: job.userId,
        text: `PagerDuty did not take your ${job.status === 'acknowledged' ? 'acknowledgement' : 'resolution'}: ${failureText(error)}. Nothing changed in PagerDuty.`,
      })
      .catch(() => undefined);
  }
  await showPagerDutySide(deps, incident.id).catch(() => undefined);
}

/** Runs one write-back job; a retryable failure before the last attempt is thrown for BullMQ to retry later. */
export async function runWriteBack(deps: WriteBackDeps, data: unknown, attempt: number, attempts: number) {
  const parsed = JobSchema.safeParse(data);
  if (!parsed.success) throw new UnrecoverableError(`not a PagerDuty write-back job: ${z.prettifyError(parsed.error)}`);
  const last = attempt >= attempts;
  if (parsed.data.kind === 'note') await addNote(deps, parsed.data, last);
  else await setStatus(deps, parsed.data, last);
}

export function startWriteBackWorker(connection: ConnectionOptions, deps: WriteBackDeps, prefix?: string): Worker {
  return new Worker(
    PAGERDUTY_QUEUE,
    (job: Job) => runWriteBack(deps, job.data, job.attemptsMade + 1, job.opts.attempts ?? 1),
    { connection, concurrency: 2, ...(prefix ? { prefix } : {}) },
  );
}
