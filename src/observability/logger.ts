import { LogLevel, type Logger as SlackLogger } from '@slack/bolt';
import { type DestinationStream, type Logger, type LoggerOptions, pino } from 'pino';
import type { AuditEntry, TransactionalAuditLog } from '../audit/audit-log.ts';
import { redaction } from '../redaction/policy.ts';
import { LOG_LEVELS, type LogLevelName } from './log-levels.ts';

// The level names live apart (./log-levels.ts), so that reading the configuration does not load pino and Bolt.
export { LOG_LEVELS, type LogLevelName } from './log-levels.ts';

// The process's one redaction policy (credential patterns, Secret values read), plus the configured secrets' values.
const redactor = redaction;

/** Masks these values (the process's own tokens and passwords) wherever they would appear in a log line. */
export function maskInLogs(values: Iterable<string | undefined>): void {
  redactor.addSecretValues([...values].filter((value): value is string => !!value));
}

const plainError = (error: Error) => ({ type: error.name, message: error.message, stack: error.stack });

/** Error objects become plain `{type, message, stack}` so that their text is masked like the rest. */
function loggable(value: unknown): unknown {
  if (value instanceof Error) return plainError(value);
  if (value && typeof value === 'object' && 'err' in value && value.err instanceof Error) {
    return { ...value, err: plainError(value.err) };
  }
  return value;
}

/**
 * A logger as the process uses it: one JSON object per line with `level` (a name), `time` (ISO 8601), `msg`,
 * and `incidentId` on every line about an incident. Every string and field goes through the redactor
 * before it is written. `destination` is stdout unless a test captures the lines.
 */
export function createLogger(level: LogLevelName, destination?: DestinationStream): Logger {
  const options: LoggerOptions = {
    level,
    timestamp: pino.stdTimeFunctions.isoTime,
    // Errors are already plain objects (loggable), masked like the rest.
    serializers: { err: (err: unknown) => err },
    formatters: {
      level: (label) => ({ level: label }),
      log: (object) => redactor.value(object),
    },
    hooks: {
      logMethod(args, method) {
        const masked = args.map((arg) => (typeof arg === 'string' ? redactor.text(arg) : loggable(arg)));
        method.apply(this, masked as Parameters<typeof method>);
      },
    },
  };
  return destination ? pino(options, destination) : pino(options);
}

/** The process's logger on stdout. LOG_LEVEL sets its threshold (main applies the validated value). */
export const log = createLogger(
  (LOG_LEVELS as readonly string[]).includes(process.env.LOG_LEVEL ?? '')
    ? (process.env.LOG_LEVEL as LogLevelName)
    : 'info',
);

/** Lines about one incident carry its id. */
export const incidentLog = (incidentId: string) => log.child({ incidentId });

const BOLT_TO_PINO: Record<LogLevel, LogLevelName> = {
  [LogLevel.DEBUG]: 'debug',
  [LogLevel.INFO]: 'info',
  [LogLevel.WARN]: 'warn',
  [LogLevel.ERROR]: 'error',
};

/** Bolt's (and its Socket Mode client's) logger, writing through ours. Its threshold is its own. */
export function slackLogger(level: LogLevel = LogLevel.INFO): SlackLogger {
  const child = log.child({ component: 'slack' });
  child.level = BOLT_TO_PINO[level];
  const text = (msg: unknown[]) => msg.map((part) => (typeof part === 'string' ? part : String(part))).join(' ');
  return {
    debug: (...msg) => child.debug(text(msg)),
    info: (...msg) => child.info(text(msg)),
    warn: (...msg) => child.warn(text(msg)),
    error: (...msg) => child.error(text(msg)),
    setLevel: (next) => {
      level = next;
      child.level = BOLT_TO_PINO[next];
    },
    getLevel: () => level,
    setName: () => undefined,
  };
}

/** Reads of the cluster and model calls are many per incident: they are logged at debug, the rest at info. */
const FREQUENT = /^(tool\.|agent\.model_call$)/;

/**
 * Every audit event also becomes one log line (what, who, on what, why, for which incident). The details
 * stay in the audit trail, where they are redacted and chained; the log line only points at the event.
 */
export function withLogLines(audit: TransactionalAuditLog): TransactionalAuditLog {
  const logged = (entries: AuditEntry[]) => {
    for (const { actor, action, target, incidentId, justification } of entries) {
      const line = { actor, action, ...(target ? { target } : {}), ...(incidentId ? { incidentId } : {}) };
      if (FREQUENT.test(action)) log.debug(line, justification ?? action);
      else log.info(line, justification ?? action);
    }
  };
  return {
    async record(...entries) {
      await audit.record(...entries);
      logged(entries);
    },
    // Logged once written in the transaction: should it roll back, the caller's error is logged after these lines.
    async recordIn(tx, entries, atCommit) {
      await audit.recordIn(tx, entries, atCommit);
      logged(entries);
    },
    ...(audit.recordAlong
      ? {
          recordAlong(db, statement, entries) {
            const written = audit.recordAlong?.(db, statement, entries);
            return written?.then((result) => {
              logged(entries);
              return result;
            });
          },
        }
      : {}),
    seqsFor: (count) => audit.seqsFor(count),
    startChain(entries, seqs, atCommit) {
      audit.startChain(entries, seqs, atCommit);
      logged(entries);
    },
  };
}
