import type { PrismaClient } from '../generated/prisma/client.ts';
import { poolOf, withLiterals } from './db.ts';

/**
 * The rows that make each bot message exactly-once (src/slack/visible-state.ts): a key reserved before the message is
 * posted, then the ts Slack gave it. pg directly: every post of every investigation writes both, and Prisma's
 * per-statement cost was most of theirs.
 */

/** Reserves `key` for a message about to be posted; false when it was reserved before (an earlier attempt). */
export async function reserveMessage(
  db: PrismaClient,
  key: string,
  place: { incidentId: string | null; channel: string; threadTs?: string | null | undefined },
): Promise<boolean> {
  const { rowCount } = await poolOf(db).query(
    `INSERT INTO "SlackMessage" ("key", "incidentId", "channel", "threadTs") VALUES ($1, $2, $3, $4)
     ON CONFLICT ("key") DO NOTHING`,
    [key, place.incidentId, place.channel, place.threadTs ?? null],
  );
  return rowCount === 1;
}

/** The ts of the message posted under a reserved `key` (a retry reuses it instead of posting again). */
export async function saveMessageTs(db: PrismaClient, key: string, ts: string): Promise<void> {
  const { rowCount } = await poolOf(db).query(SAVE_TS, [key, ts]);
  checkMessageTsSaved(key, rowCount);
}

const SAVE_TS = `UPDATE "SlackMessage" SET "ts" = $2 WHERE "key" = $1`;

/** saveMessageTs as one statement without parameters, for another's transaction (the audit row of the post). */
export const saveMessageTsStatement = (key: string, ts: string): string => withLiterals(SAVE_TS, [key, ts]);

/** Throws unless the statement saving the ts updated the one reserved row. */
export function checkMessageTsSaved(key: string, rowCount: number | null): void {
  if (rowCount !== 1) throw new Error(`no message reserved under ${key}`);
}
