import type { PrismaClient } from '../generated/prisma/client.ts';
import type { ChainKey } from './chain-key.ts';
import { takeCheckpoint } from './checkpoint.ts';
import type { CheckpointSink } from './checkpoint-sink.ts';

export interface Checkpointer {
  /** Takes and writes a checkpoint now, unless nothing was appended since the last one this process wrote. */
  checkpoint(): Promise<void>;
  /** Stops the timers and writes a last checkpoint (SIGTERM), so a clean shutdown leaves no uncovered tail. */
  stop(): Promise<void>;
}

/** How often the table is looked at for rows that should not wait for the periodic checkpoint. */
const WATCH_MS = 2_000;

/**
 * Plan actions that need no checkpoint at once (a proposal changes nothing); every other plan action — a click, a
 * decision, an execution, an apply, a rollback — is checkpointed within WATCH_MS of being written.
 */
const ROUTINE_PLAN_ACTIONS = ['plan.proposed', 'plan.not_proposed', 'plan.proposal.failed', 'plan.notify.failed'];

/**
 * Writes a signed checkpoint of every chain head to `sink`: at start, every `intervalMs`, and — looked for every
 * couple of seconds, whichever role wrote them — as soon as a decision or change of a plan was recorded or
 * `everyRows` rows were appended since the last one. What a superuser could delete unnoticed is then at most the
 * rows of the last couple of seconds after an approval or an execution step, and otherwise at most `everyRows`
 * rows or `intervalMs` of them.
 */
export function startCheckpoints(options: {
  db: PrismaClient;
  key: ChainKey;
  sink: CheckpointSink;
  intervalMs: number;
  everyRows: number;
  onError: (error: Error) => void;
}): Checkpointer {
  const { db, key, sink, everyRows } = options;
  let lastWritten: string | null = null;
  let covered = -1n;
  let running: Promise<void> = Promise.resolve();
  const write = async () => {
    const checkpoint = await takeCheckpoint(db, key);
    const state = `${checkpoint.lastSeq}/${checkpoint.rows}`;
    if (state === lastWritten) return;
    await sink.write(checkpoint);
    lastWritten = state;
    covered = BigInt(checkpoint.lastSeq);
  };
  const checkpoint = () => {
    running = running.then(write).catch((error: Error) => options.onError(error));
    return running;
  };
  let watching = false;
  const watch = async () => {
    if (watching || covered < 0n) return;
    watching = true;
    try {
      // A range of the primary key past the last checkpoint: a few rows, whatever the table's size.
      const [since] = await db.$queryRaw<[{ rows: number; urgent: boolean | null }]>`
        SELECT count(*)::int AS rows,
               bool_or("action" LIKE 'plan.%' AND "action" <> ALL(${ROUTINE_PLAN_ACTIONS}::text[])) AS urgent
        FROM "AuditEvent" WHERE "seq" > ${covered}`;
      if (since.urgent || since.rows >= everyRows) await checkpoint();
    } catch (error) {
      options.onError(error as Error);
    } finally {
      watching = false;
    }
  };
  void checkpoint();
  const timers = [setInterval(() => void checkpoint(), options.intervalMs), setInterval(() => void watch(), WATCH_MS)];
  for (const timer of timers) timer.unref();
  return {
    checkpoint,
    async stop() {
      for (const timer of timers) clearInterval(timer);
      await checkpoint();
    },
  };
}
