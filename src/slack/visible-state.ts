import { type types, webApi } from '@slack/bolt';
import type { AuditEntry, AuditLog } from '../audit/audit-log.ts';
import type { DeferredAudit } from '../audit/deferred-audit.ts';
import type { Incident, Plan, PlanStatus, Prisma, PrismaClient } from '../generated/prisma/client.ts';
import { transition } from '../remediation/plan-store.ts';
import { errorMessage } from '../observability/error-message.ts';
import { moveIncidentStatus } from '../store/incidents.ts';
import { checkMessageTsSaved, reserveMessage, saveMessageTs, saveMessageTsStatement } from '../store/slack-messages.ts';
import { createSlackClient } from './client.ts';
import { rootMessage } from './root-message.ts';

/** The metadata event type every bot message carries; its payload names the incident and the message key. */
export const MESSAGE_EVENT_TYPE = 'incident_bot_message';

/** Where a message goes: a thread (threadTs) or the channel's top level, and the incident it belongs to. */
export interface Place {
  incidentId: string | null;
  channel: string;
  threadTs?: string | null;
}

export interface VisibleMessage {
  text: string;
  blocks?: types.KnownBlock[];
}

export interface VisibleStateDeps {
  db: PrismaClient;
  audit: AuditLog;
  slack: webApi.WebClient;
  /** Events recorded without waiting (an investigation's reads): every post and edit waits until they are committed. */
  deferredAudit?: Pick<DeferredAudit, 'settled'>;
}

interface PostOptions {
  /** Attempts at posting before giving up; between two, the thread is searched for the message first. */
  attempts?: number;
  retryDelayMs?: number;
}

// The SDK retries a 5xx on its own, and a 5xx can come after Slack stored the message: posts go through a client
// that never retries, and the retry below looks for the message before posting it again.
const singleShotClients = new WeakMap<webApi.WebClient, webApi.WebClient>();
function singleShot(slack: webApi.WebClient): webApi.WebClient {
  let client = singleShotClients.get(slack);
  if (!client) {
    client = createSlackClient(slack.token, {
      slackApiUrl: slack.slackApiUrl,
      retryConfig: { retries: 0 },
      logLevel: webApi.LogLevel.ERROR,
    });
    singleShotClients.set(slack, client);
  }
  return client;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// Slack's own failures, after which the message may or may not have been stored.
const AMBIGUOUS_ERRORS = new Set(['internal_error', 'fatal_error', 'service_unavailable', 'request_timeout']);

/** Slack answered and refused (channel_not_found, msg_too_long…): nothing was stored, retrying cannot help. */
const isRefusal = (error: unknown) =>
  (error as { code?: string }).code === webApi.ErrorCode.PlatformError &&
  !AMBIGUOUS_ERRORS.has((error as { data?: { error?: string } }).data?.error ?? '');

type SlackMessageMetadata = { event_type?: string; event_payload?: { message_key?: unknown } };

/**
 * The one place that changes what people see. Each method does the compare-and-set in Postgres, the audit event
 * and the Slack update together, so none of them is forgotten or doubled (and, with `deferredAudit`, tells Slack
 * only once the events recorded without waiting are committed):
 * - `post`: a message exactly once per key — recorded before it is posted, carrying the key in Slack message
 *   metadata, and looked for in Slack (conversations.replies / history with include_all_metadata) whenever an
 *   earlier attempt may have posted it (a worker killed after Slack stored it, a 5xx after Slack stored it);
 * - `edit`: a message edited in place, audited;
 * - `show`: a message kept showing the latest state (posted once, then edited), one caller at a time;
 * - `setIncidentStatus`, `resolveIncident`, `reopenIncident`: the incident's status, its audit event, its root
 *   message (and the "Resolved" reply);
 * - `movePlan`: a plan's status, its audit event, the thread reply and the plan message.
 */
export class VisibleState {
  private readonly poster: webApi.WebClient;

  constructor(
    private readonly deps: VisibleStateDeps,
    private readonly options: PostOptions = {},
  ) {
    this.poster = singleShot(deps.slack);
  }

  async post(place: Place, key: string, message: VisibleMessage, purpose: string): Promise<string> {
    const messageKey = `${place.incidentId ?? place.channel}:${key}`;
    const { db } = this.deps;
    await this.deps.deferredAudit?.settled();
    if (!(await reserveMessage(db, messageKey, place))) {
      const known = await db.slackMessage.findUniqueOrThrow({ where: { key: messageKey } });
      if (known.ts) return known.ts;
      const found = await this.find(place, messageKey, known.createdAt);
      if (found) return this.posted(place, messageKey, found, purpose, true);
    }
    const attempts = this.options.attempts ?? 5;
    for (let attempt = 1; ; attempt++) {
      try {
        const posted = await this.poster.chat.postMessage({
          channel: place.channel,
          ...(place.threadTs ? { thread_ts: place.threadTs } : {}),
          ...message,
          metadata: {
            event_type: MESSAGE_EVENT_TYPE,
            event_payload: { incident_id: place.incidentId ?? '', message_key: messageKey },
          },
        });
        return await this.posted(place, messageKey, posted.ts!, purpose, false);
      } catch (error) {
        if (isRefusal(error) || attempt >= attempts) throw error;
        await sleep((this.options.retryDelayMs ?? 1000) * 2 ** (attempt - 1));
        const found = await this.find(place, messageKey, new Date(Date.now() - 3_600_000)).catch(() => null);
        if (found) return this.posted(place, messageKey, found, purpose, true);
      }
    }
  }

  async edit(place: Place, ts: string, message: VisibleMessage, purpose: string): Promise<void> {
    await this.deps.deferredAudit?.settled();
    await this.deps.slack.chat.update({ channel: place.channel, ts, ...message });
    await this.record({
      actor: 'bot',
      action: 'slack.updated',
      target: `slack:${place.channel}/${ts}`,
      ...(place.incidentId ? { incidentId: place.incidentId } : {}),
      details: { purpose },
    });
  }

  /**
   * One message that always shows the latest state (e.g. the related alerts of a storm): posted once under `key`,
   * then edited in place. Callers in any process take turns on a lock of the key and render after taking it, so
   * the last edit Slack receives is rendered from the latest state — never a stale one overtaking it.
   * `render` returns null when there is nothing to show yet.
   */
  async show(place: Place, key: string, render: () => Promise<VisibleMessage | null>, purpose: string): Promise<void> {
    const messageKey = `${place.incidentId ?? place.channel}:${key}`;
    await this.deps.db.$transaction(
      async (tx) => {
        await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended(${`show:${messageKey}`}, 0))`;
        const message = await render();
        if (!message) return;
        const known = await this.deps.db.slackMessage.findUnique({ where: { key: messageKey } });
        if (known?.ts) await this.edit(place, known.ts, message, purpose);
        else await this.post(place, key, message, purpose);
      },
      { maxWait: 10_000, timeout: 60_000 },
    );
  }

  /**
   * Moves the incident to `status` unless it is there already or resolved (a resolution is final until the source
   * fires again): one caller makes the move, audits it and re-renders the root message (if it is posted). Returns
   * the incident as this caller moved it, or null.
   */
  async setIncidentStatus(incidentId: string, status: 'investigating' | 'diagnosed'): Promise<Incident | null> {
    const moved = await this.moveIncident(incidentId, 'bot', { to: status });
    if (moved) await this.renderRoot(moved);
    return moved;
  }

  /**
   * The source resolved the incident: one of any number of concurrent copies moves it (and stamps resolvedAt), and
   * audits it as `actor`. Returns once that is stored; the thread reply and the root's re-render follow without
   * the caller waiting (a webhook answers before Slack does), a failure to tell Slack audited.
   */
  async resolveIncident(incidentId: string, actor: string): Promise<boolean> {
    const incident = await this.moveIncident(incidentId, actor, { to: 'resolved' });
    if (!incident) return false;
    this.inBackground(incident, actor, async () => {
      if (!incident.slackChannel || !incident.slackThreadTs) return;
      const place = { incidentId, channel: incident.slackChannel, threadTs: incident.slackThreadTs };
      // A storm resolves with its last alert: the thread says it was all of them.
      const alerts = await this.deps.db.incidentAlert.count({ where: { incidentId } });
      const text =
        alerts > 1
          ? `:large_green_circle: Resolved: all ${alerts} alerts of this incident have resolved.`
          : `:large_green_circle: Resolved in ${incident.source}.`;
      await this.post(place, `resolved:round-${incident.round}`, { text }, 'resolved');
      await this.renderRoot(incident);
    });
    return true;
  }

  /**
   * The source fires again after a resolution: the incident goes back to `triggered` in a new round (its own job
   * and investigation, same thread). One of several concurrent copies moves it and gets it back; null for the
   * others. The root's re-render follows without the caller waiting.
   */
  async reopenIncident(incidentId: string, actor: string): Promise<Incident | null> {
    const incident = await this.moveIncident(incidentId, actor, { to: 'triggered' });
    if (incident) this.inBackground(incident, actor, () => this.renderRoot(incident));
    return incident;
  }

  /**
   * A related alert the answer of `round` does not explain: the incident goes back to `triggered` in the next round,
   * to investigate `alertId` (same thread). Compare-and-set on the round, so of two callers checking the same answer
   * one starts it; null for the other. The root's re-render follows without the caller waiting.
   */
  async investigateAgain(incidentId: string, round: number, alertId: string, reason: string): Promise<Incident | null> {
    const incident = await this.deps.db.$transaction(async (tx) => {
      const { count } = await tx.incident.updateMany({
        where: { id: incidentId, status: 'diagnosed', round },
        data: { status: 'triggered', round: { increment: 1 }, lastAlertAt: new Date() },
      });
      if (count !== 1) return null;
      await tx.incidentAlert.update({ where: { id: alertId }, data: { startedRound: round + 1 } });
      return tx.incident.findUniqueOrThrow({ where: { id: incidentId } });
    });
    if (!incident) return null;
    await this.record({
      actor: 'bot',
      action: 'incident.round',
      target: `incident:${incidentId}`,
      incidentId,
      justification: reason,
      details: { from: 'diagnosed', to: 'triggered', round: incident.round, alertId },
    });
    this.inBackground(incident, 'bot', () => this.renderRoot(incident));
    return incident;
  }

  /** The compare-and-set of an incident's status and its audit event; the incident as moved, or null. */
  private async moveIncident(
    incidentId: string,
    actor: string,
    move: { to: 'investigating' | 'diagnosed' | 'resolved' | 'triggered' },
  ): Promise<Incident | null> {
    const { to } = move;
    const made = await moveIncidentStatus(this.deps.db, incidentId, to);
    if (!made) return null;
    const { previous, incident } = made;
    await this.record({
      actor,
      // A reopen is its own event (the alert came back); every other move is a status change.
      action: to === 'triggered' ? 'incident.reopened' : 'incident.status',
      target: `incident:${incidentId}`,
      incidentId,
      details: { from: previous, to, ...(to === 'triggered' ? { round: incident.round } : {}) },
    });
    return incident;
  }

  /** Re-renders the incident's root message. The root may be a user's message (an @mention thread), which the bot cannot edit. */
  private async renderRoot(incident: Incident): Promise<void> {
    if (!incident.slackChannel || !incident.slackThreadTs) return;
    const place = { incidentId: incident.id, channel: incident.slackChannel };
    await this.edit(place, incident.slackThreadTs, rootMessage(incident), 'root').catch(() => undefined);
  }

  /** Tells Slack after a move its caller does not wait for; a failure is audited (the move itself stands). */
  private inBackground(incident: Incident, actor: string, tell: () => Promise<void>): void {
    void tell()
      .catch((error: unknown) =>
        this.record({
          actor,
          action: 'incident.notify.failed',
          target: `incident:${incident.id}`,
          incidentId: incident.id,
          justification: errorMessage(error),
          details: { status: incident.status },
        }),
      )
      .catch(() => undefined);
  }

  /**
   * Compare-and-set of a plan's status: exactly one caller moves it out of `from`, however many click, retry or run
   * at once. That caller records `event`, posts `reply` in the thread (once per plan and status) and re-renders the
   * plan message with `refresh`. Telling Slack is best effort once the state moved: a failure is audited.
   */
  async movePlan(
    plan: Pick<Plan, 'id' | 'incidentId' | 'slackChannel' | 'slackThreadTs'>,
    from: PlanStatus,
    to: PlanStatus,
    data: Omit<Prisma.PlanUpdateManyMutationInput, 'status'>,
    event: Omit<AuditEntry, 'target' | 'incidentId'>,
    tell: { reply?: string; refresh?: () => Promise<void> } = {},
  ): Promise<boolean> {
    if (!(await transition(this.deps.db, plan.id, from, to, data))) return false;
    await this.record({ ...event, target: `plan:${plan.id}`, incidentId: plan.incidentId });
    const notify = async (send: () => Promise<unknown>) => {
      try {
        await send();
      } catch (error) {
        await this.record({
          actor: event.actor,
          action: 'plan.notify.failed',
          target: `plan:${plan.id}`,
          incidentId: plan.incidentId,
          justification: errorMessage(error),
          details: { planId: plan.id, status: to },
        });
      }
    };
    const { reply, refresh } = tell;
    if (reply && plan.slackChannel) {
      const place = { incidentId: plan.incidentId, channel: plan.slackChannel, threadTs: plan.slackThreadTs };
      await notify(() => this.post(place, `plan:${plan.id}:${to}`, { text: reply }, `plan.${to}`));
    }
    if (refresh) await notify(refresh);
    return true;
  }

  private record(entry: AuditEntry): Promise<void> {
    return this.deps.audit.record(entry);
  }

  private async posted(place: Place, key: string, ts: string, purpose: string, found: boolean): Promise<string> {
    const entry: AuditEntry = {
      actor: 'bot',
      action: 'slack.posted',
      target: `slack:${place.channel}/${ts}`,
      ...(place.incidentId ? { incidentId: place.incidentId } : {}),
      details: {
        purpose,
        key,
        ...(place.threadTs ? { threadTs: place.threadTs } : {}),
        // The post's answer was lost (a killed worker, a 5xx) but Slack had stored it: found by its metadata.
        ...(found ? { foundInSlack: true } : {}),
      },
    };
    // Both before returning: the ts stored (a retry reuses it) and the post audited. In the audit row's own
    // transaction where the log is Postgres on the same database (one write, not two, about 4 per incident), else
    // side by side, neither waiting for the other.
    const { audit, db } = this.deps;
    const saved = audit.recordAlong?.(db, saveMessageTsStatement(key, ts), [entry]);
    if (saved) checkMessageTsSaved(key, (await saved).rowCount);
    else await Promise.all([saveMessageTs(db, key, ts), this.record(entry)]);
    return ts;
  }

  /** The ts of the message carrying `key`, in the thread or (top level) in the channel since `since`. */
  private async find(place: Place, key: string, since: Date): Promise<string | null> {
    let cursor: string | undefined;
    for (let page = 0; page < 10; page++) {
      const args = { channel: place.channel, include_all_metadata: true, limit: 200, ...(cursor ? { cursor } : {}) };
      const answer = place.threadTs
        ? await this.deps.slack.conversations.replies({ ...args, ts: place.threadTs })
        : await this.deps.slack.conversations.history({
            ...args,
            oldest: String(Math.floor(since.getTime() / 1000) - 300),
          });
      for (const message of answer.messages ?? []) {
        const metadata = (message as { metadata?: SlackMessageMetadata }).metadata;
        if (metadata?.event_type === MESSAGE_EVENT_TYPE && metadata.event_payload?.message_key === key && message.ts)
          return message.ts;
      }
      cursor = answer.response_metadata?.next_cursor || undefined;
      if (!answer.has_more || !cursor) return null;
    }
    return null;
  }
}
