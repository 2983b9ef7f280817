import { type ParseArgsConfig, parseArgs } from 'node:util';
import { errorMessage } from '../observability/error-message.ts';

/** A command line the user got wrong: printed with the command's usage, exit code 2. */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly usage: string,
  ) {
    super(message);
    this.name = 'UsageError';
  }
}

/** A subcommand; its name and one-line summary live in main.ts, which loads it only when run. */
export interface Command {
  usage: string;
  run(argv: string[]): Promise<number>;
}

type Options = NonNullable<ParseArgsConfig['options']>;

/** parseArgs with `--help`, no positionals, and every problem reported as a UsageError. */
export function parseOptions<T extends Options>(argv: string[], options: T, usage: string) {
  try {
    return parseArgs({ args: argv, options: { ...options, help: { type: 'boolean', short: 'h' } }, strict: true });
  } catch (error) {
    throw new UsageError(errorMessage(error), usage);
  }
}

/** A positive integer option, or the fallback when absent. */
export function positiveInteger(value: string | undefined, name: string, fallback: number, usage: string): number {
  if (value === undefined) return fallback;
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1)
    throw new UsageError(`--${name} must be a positive integer, got "${value}"`, usage);
  return number;
}

/** A port: 0 (any free port) to 65535. */
export function port(value: string | undefined, usage: string): number {
  if (value === undefined) return 0;
  const number = Number(value);
  if (!Number.isInteger(number) || number < 0 || number > 65535) {
    throw new UsageError(`--port must be an integer between 0 and 65535, got "${value}"`, usage);
  }
  return number;
}
