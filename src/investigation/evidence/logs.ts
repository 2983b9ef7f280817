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

/**
 * Whether the pods' errors began after `at`, as far as the logs read can prove it: each log read (current instances)
 * begins before `at` and was not cut short, and none of its error lines is older. A log that starts later, was cut, or
 * has undated lines cannot say when its errors began.
 */
export function errorsBeganAfter(snapshot: ClusterSnapshot, namespace: string, pods: string[], at: number): boolean {
  const logs = snapshot.logs.filter((log) => log.namespace === namespace && pods.includes(log.pod) && !log.previous);
  const covers = (log: ContainerLog) => !log.cut && (toMs(log.readFrom) ?? Number.POSITIVE_INFINITY) <= at;
  if (logs.length === 0 || !logs.every(covers)) return false;
  const errors = logLinesOf(snapshot, namespace, pods, (log) => !log.previous).filter((l) => looksLikeError(l.text));
  return errors.length > 0 && errors.every((l) => (toMs(l.at) ?? Number.NEGATIVE_INFINITY) >= at);
}
