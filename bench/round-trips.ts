/**
 * Preloaded into the burst's web and worker processes when BENCH_ROUND_TRIPS_DIR is set (`node --import`): counts
 * every Postgres query (pg's Client.query, which Prisma's adapter calls once per statement, BEGIN and COMMIT
 * included) and every Redis command (ioredis's sendCommand, BullMQ's scripts included), and writes the counts to
 * `<dir>/<role>-<pid>.json` with the process's CPU time when it exits. Round trips are what a burst of concurrent requests queues on.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import pg from 'pg';

const dir = process.env.BENCH_ROUND_TRIPS_DIR;
const postgres = new Map<string, number>();
const redis = new Map<string, number>();
const add = (counts: Map<string, number>, key: string) => counts.set(key, (counts.get(key) ?? 0) + 1);
const cpuMs = () => Math.round((process.cpuUsage().user + process.cpuUsage().system) / 1000);
/** CPU used by the time of the first Postgres query (start-up: imports, connections), to tell the burst's own. */
let cpuAtFirstQuery: number | undefined;

/** A statement's shape: whitespace collapsed, cut short, so the same query counts once whatever its parameters. */
const shape = (text: unknown) =>
  String(typeof text === 'object' && text !== null ? (text as { text?: unknown }).text : text)
    .replace(/\s+/g, ' ')
    .slice(0, 90);

if (dir) {
  const query = pg.Client.prototype.query as (...args: unknown[]) => unknown;
  pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
    cpuAtFirstQuery ??= cpuMs();
    add(postgres, shape(args[0]));
    return query.apply(this, args);
  } as typeof pg.Client.prototype.query;
  const sendCommand = Redis.prototype.sendCommand;
  Redis.prototype.sendCommand = function (this: Redis, command, stream) {
    add(redis, command.name);
    return sendCommand.call(this, command, stream);
  };
  const sorted = (counts: Map<string, number>) => Object.fromEntries([...counts].sort(([, a], [, b]) => b - a));
  const total = (counts: Map<string, number>) => [...counts.values()].reduce((sum, n) => sum + n, 0);
  process.on('exit', () => {
    writeFileSync(
      join(dir, `${process.env.ROLE ?? 'process'}-${process.pid}.json`),
      JSON.stringify(
        {
          // CPU the process used from start to exit (user + system), a figure the machine's load changes little.
          cpuMs: cpuMs(),
          // From the first Postgres query to exit: the burst's share, start-up left out.
          cpuAfterFirstQueryMs: cpuMs() - (cpuAtFirstQuery ?? 0),
          postgres: total(postgres),
          redis: total(redis),
          queries: sorted(postgres),
          commands: sorted(redis),
        },
        null,
        2,
      ),
    );
  });
}
