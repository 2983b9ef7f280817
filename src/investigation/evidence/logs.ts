import type { Evidence } from '../model.ts';
import { type LogLine, parseLogLine } from './log-line.ts';
import type { ClusterSnapshot, ContainerLog } from './snapshot.ts';

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
    text: `${line.container}${line.previous ? ' (previous)' : ''}: ${line.text.slice(0, 400)}`,
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
