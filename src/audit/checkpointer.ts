import type { PrismaClient } from '../generated/prisma/client.ts';
import type { ChainKey } from './chain-key.ts';
import { takeCheckpoint } from './checkpoint.ts';
import type { CheckpointSink } from './checkpoint-sink.ts';

export interface Checkpointer {
  /** Takes and writes a checkpoint now, unless nothing was appended since the last one this process wrote. */
  checkpoint(): Promise<void>;
  /** Stops the timer and writes a last checkpoint (SIGTERM), so a clean shutdown leaves no uncovered tail. */
  stop(): Promise<void>;
}

/** Writes a signed checkpoint of every chain head to `sink` every `intervalMs`; what is not yet covered is at most that old. */
export function startCheckpoints(options: {
  db: PrismaClient;
  key: ChainKey;
  sink: CheckpointSink;
  intervalMs: number;
  onError: (error: Error) => void;
}): Checkpointer {
  let lastWritten: string | null = null;
  let running: Promise<void> = Promise.resolve();
  const write = async () => {
    const checkpoint = await takeCheckpoint(options.db, options.key);
    const state = `${checkpoint.lastSeq}/${checkpoint.rows}`;
    if (state === lastWritten) return;
    await options.sink.write(checkpoint);
    lastWritten = state;
  };
  const checkpoint = () => {
    running = running.then(write).catch((error: Error) => options.onError(error));
    return running;
  };
  const timer = setInterval(() => void checkpoint(), options.intervalMs);
  timer.unref();
  return {
    checkpoint,
    async stop() {
      clearInterval(timer);
      await checkpoint();
    },
  };
}
