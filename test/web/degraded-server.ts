import { LogLevel } from '@slack/bolt';
import { PostgresAuditLog } from '../../src/audit/postgres-audit-log.ts';
import { createServer, type ServerOptions } from '../../src/http/server.ts';
import { createInvestigationQueue } from '../../src/queue/investigation-queue.ts';
import { createDb } from '../../src/store/db.ts';
import { type Harness, testServerConfig } from './harness.ts';

// Ports nothing listens on: a dependency that does not answer.
const NO_REDIS = 'redis://127.0.0.1:1';
const NO_POSTGRES = 'postgresql://postgres@127.0.0.1:1/nothing';

export interface DegradedServer {
  /** `http://127.0.0.1:<port><path>` on this server. */
  url: (path: string) => string;
  stop: () => Promise<void>;
}

/**
 * A second web server beside the harness's, on its database, queue and Slack stand-in but for one dependency that does
 * not answer: Redis (a queue on a closed port, with `redis` connection options) or Postgres (a client of a closed port).
 */
export async function startDegradedServer(
  h: Harness,
  down: 'redis' | 'postgres',
  options: {
    server?: ServerOptions;
    redis?: { maxRetriesPerRequest?: number | null; enableOfflineQueue?: boolean };
  } = {},
): Promise<DegradedServer> {
  const deadQueue =
    down === 'redis' ? createInvestigationQueue({ url: NO_REDIS, maxRetriesPerRequest: null, ...options.redis }) : null;
  const deadDb = down === 'postgres' ? createDb(NO_POSTGRES) : null;
  const db = deadDb ?? h.database.db;
  const server = createServer(
    testServerConfig(h.slack.apiUrl),
    { db, audit: new PostgresAuditLog(db), queue: deadQueue ?? h.queue },
    { logLevel: LogLevel.ERROR, ...options.server },
  );
  const port = await server.start(0);
  return {
    url: (path) => `http://127.0.0.1:${port}${path}`,
    stop: async () => {
      await server.stop();
      await deadQueue?.close().catch(() => undefined);
      await deadDb?.$disconnect();
    },
  };
}
