import { type Evidence, LOG_TEXT_LIMIT } from '../model.ts';
import { type LogLine, looksLikeError, parseLogLine } from './log-line.ts';
import type { ClusterSnapshot, ContainerLog } from './snapshot.ts';
import { toMs } from './time.ts';

export interface PodLogLine extends LogLine {
  pod: string;
  namespace: string;
  container: string;
  previous: boolean;
}

export function logLinesOf(
  snapshot: ClusterSnapshot,
  namespace: string,
  pods: string[],
  filter?: (log: ContainerLog) => boolean,
): PodLogLine[] {
  const wanted = new Set(pods);
  return snapshot.logs
    .filter((log) => log.namespace === namespace && wanted.has(log.pod) && (!filter || filter(log)))
    .flatMap((log) =>
      log.lines.map((line) => ({
        ...parseLogLine(line),
        pod: log.pod,
        namespace,
        container: log.container,
        previous: log.previous,
      })),
    );
}

/** Every line of every log read, with the pod it came from, that `test` accepts (on its parsed text). */
export function logLinesWhere(snapshot: ClusterSnapshot, test: (text: string) => boolean): PodLogLine[] {
  return snapshot.logs.flatMap((log) =>
    log.lines
      .map((line) => ({
        ...parseLogLine(line),
        pod: log.pod,
        namespace: log.namespace,
        container: log.container,
        previous: log.previous,
      }))
      .filter((line) => test(line.text)),
  );
}

/** Whether a log of any of the pods was read: lines that were read and say nothing clear a suspect; unread ones do not. */
export const logsRead = (snapshot: ClusterSnapshot, namespace: string | undefined, pods: string[]): boolean =>
  snapshot.logs.some((log) => log.namespace === namespace && pods.includes(log.pod));

export function logEvidence(line: PodLogLine): Evidence {
  const evidence: Evidence = {
    source: 'log',
    ref: { kind: 'Pod', namespace: line.namespace, name: line.pod },
    text: `${line.container}${line.previous ? ' (previous)' : ''}: ${line.text.slice(0, LOG_TEXT_LIMIT)}`,
  };
  if (line.at) evidence.at = line.at;
  return evidence;
}

/** The most telling lines: the last ones matching, at most `limit`, deduplicated by text. */
export function lastDistinct(lines: PodLogLine[], test: (text: string) => boolean, limit = 2): PodLogLine[] {
  const seen = new Set<string>();
  const picked: PodLogLine[] = [];
  for (const line of [...lines].reverse()) {
    if (!test(line.text) || seen.has(line.text)) continue;
    seen.add(line.text);
    picked.push(line);
    if (picked.length >= limit) break;
  }
  return picked;
}

/** Slack between a container's start and its first line for a log read to hold the container's whole life. */
const FIRST_LINE_SLACK_MS = 60_000;

/**
 * Whether the log holds the whole life of a container that started at or after `at`: read from its first line (within
 * a minute of its start), nothing of it is missing, and nothing of it predates `at`.
 */
function wholeLifeSince(snapshot: ClusterSnapshot, log: ContainerLog, at: number): boolean {
  const pod = snapshot.pods.find((p) => p.metadata?.namespace === log.namespace && p.metadata?.name === log.pod);
  const status = pod?.status?.containerStatuses?.find((c) => c.name === log.container);
  const started = toMs(status?.state?.running?.startedAt);
  const from = toMs(log.readFrom);
  return started !== undefined && from !== undefined && started >= at && from - started <= FIRST_LINE_SLACK_MS;
}

/**
 * Whether the pods' errors began after `at`, as far as the logs read can prove it: each log read (current instances)
 * begins before `at` and was not cut short, and none of its error lines is older. A log that starts later, was cut, or
 * has undated lines cannot say when its errors began — unless `wholeLivesCount` and it holds the whole life of a
 * container started after `at` (a reader restarted to pick up a change: nothing it logged can predate the change).
 */
export function errorsBeganAfter(
  snapshot: ClusterSnapshot,
  namespace: string,
  pods: string[],
  at: number,
  wholeLivesCount = false,
): boolean {
  const logs = snapshot.logs.filter((log) => log.namespace === namespace && pods.includes(log.pod) && !log.previous);
  const covers = (log: ContainerLog) =>
    !log.cut &&
    ((toMs(log.readFrom) ?? Number.POSITIVE_INFINITY) <= at || (wholeLivesCount && wholeLifeSince(snapshot, log, at)));
  if (logs.length === 0 || !logs.every(covers)) return false;
  const errors = logLinesOf(snapshot, namespace, pods, (log) => !log.previous).filter((l) => looksLikeError(l.text));
  return errors.length > 0 && errors.every((l) => (toMs(l.at) ?? Number.NEGATIVE_INFINITY) >= at);
}
