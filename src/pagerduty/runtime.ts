import type { App, webApi } from '@slack/bolt';
import type { ConnectionOptions, Worker } from 'bullmq';
import type { AuditLog } from '../audit/audit-log.ts';
import type { Config } from '../config/env.ts';
import type { PrismaClient } from '../generated/prisma/client.ts';
import type { Approvers } from '../remediation/approvers.ts';
import { registerTimelineListener } from '../slack/timeline-listener.ts';
import { type FollowUpDeps, followUpAnswer } from '../worker/follow-up.ts';
import { type PagerDutyApiConfig, PagerDutyClient, type RetryOptions } from './client.ts';
import { registerPagerDutyListeners } from './slack-listeners.ts';
import { createWriteBackQueue, startWriteBackWorker } from './write-back.ts';

/** PagerDuty write-back is on when both its key and its user are set (env.ts refuses one without the other). */
export function pagerDutyApiFrom(
  config: Pick<Config, 'PAGERDUTY_API_TOKEN' | 'PAGERDUTY_FROM_EMAIL' | 'PAGERDUTY_API_URL'>,
): PagerDutyApiConfig | null {
  if (!config.PAGERDUTY_API_TOKEN || !config.PAGERDUTY_FROM_EMAIL) return null;
  return {
    apiUrl: config.PAGERDUTY_API_URL,
    token: config.PAGERDUTY_API_TOKEN,
    fromEmail: config.PAGERDUTY_FROM_EMAIL,
  };
}

export interface FollowUpRuntimeOptions {
  db: PrismaClient;
  audit: AuditLog;
  slack: webApi.WebClient;
  connection: ConnectionOptions;
  prefix?: string;
  /** null: no PagerDuty write-back (no note, no Acknowledge/Resolve buttons). */
  pagerDuty: PagerDutyApiConfig | null;
  /** Who may acknowledge or resolve from Slack: the remediation approvers. */
  approvers: Approvers;
  /** The REST client's retries, and the first backoff of the write-back job's own (tests shorten them). */
  retry?: RetryOptions & { jobBackoffMs?: number };
}

/**
 * What comes after the answer, wired for the process: the worker's follow-up (Seen before, the PagerDuty message
 * and note), the web role's buttons (Timeline; Acknowledge and Resolve), and the PagerDuty write-back worker.
 */
export function createFollowUpRuntime(options: FollowUpRuntimeOptions) {
  const { db, audit, slack, connection, prefix, pagerDuty, approvers, retry } = options;
  const queue = pagerDuty ? createWriteBackQueue(connection, prefix, retry?.jobBackoffMs) : undefined;
  const followUpDeps: FollowUpDeps = { db, audit, slack, ...(queue ? { pagerDuty: queue } : {}) };
  return {
    afterAnswer: (answered: Parameters<typeof followUpAnswer>[1]) => followUpAnswer(followUpDeps, answered),
    register(app: App): void {
      registerTimelineListener(app, { db, audit, slack: app.client });
      if (queue) registerPagerDutyListeners(app, { db, audit, slack: app.client, approvers, queue });
    },
    /** The write-back worker (worker role); null when write-back is off. */
    startWorker(): Worker | null {
      if (!pagerDuty) return null;
      return startWriteBackWorker(
        connection,
        { db, audit, slack, client: new PagerDutyClient(pagerDuty, retry) },
        prefix,
      );
    },
    close: async () => {
      await queue?.close();
    },
  };
}
