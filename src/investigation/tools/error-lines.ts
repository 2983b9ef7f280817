import { SERVER_ERROR_ANSWER, WARNING_LEVEL } from '../evidence/log-line.ts';

// So do lines the process itself logged at warning level (WARNING_LEVEL), in whatever words: a fallback it took, a
// degraded or slow answer it got, which a caller reports without a word of failure.
// Refusals by rule count too (a request rejected, a publish nacked, a rate or a size over the limit, a caller not
// authorised): a server or its proxy logs them without a word of failure, or only as an access line's 401/403/429. So do paths it does not serve (a framework's
// "No mapping for GET /x", an access log's GET answered 404), which a probe or health check aimed at a wrong path meets.
// An Envoy access line answered 5xx with a response flag saying why (`503 UH no_healthy_upstream`, `504 UT`) carries no
// word of failure either: its status and flag are the error; nor does a connection it dropped for matching no listener
// chain (`NR filter_chain_not_found`: a peer without the mutual TLS the chains require).
const ERROR_LINE =
  /no mapping for|"[A-Z]+ \/\S* HTTP\/[\d.]+" (?:401|403|429)\b|"[A-Z]+ \/\S* HTTP\/[\d.]+" 5\d\d (?:UH|UF|UO|NR|UT|URX|UC|UR|DC)\b|no_healthy_upstream|"?DownstreamStatus"?\s*:\s*(?:401|403|429)\b|"(?:GET|HEAD) \/\S* HTTP\/[\d.]+" 404\b|error|fail|fatal|panic|exception|refused|timeout|timed out|unavailable|denied|unable|cannot|could not|not found|killed|oom|deadline exceeded|no such host|resolve|crash|invalid|forbidden|x509|BlackHoleCluster|filter_chain_not_found|no healthy upstream|reject|nacked|aborted|rate[ _-]?limited|too many requests|too large|unauthori[sz]ed|not authori[sz]ed/i;

/**
 * A process saying it took new configuration (CoreDNS's `Reloading`, a file watcher's `configuration changed`, a
 * toggle it switched: `use_v2 false -> true`): not an error, but it dates a change of what the process reads, which the
 * object's metadata may not carry.
 */
const CONFIG_TAKEN =
  /\breloading\b|\breloaded\b|plugin\/reload|config(uration)? (file )?(changed|reloaded|updated)|new config(uration)? (loaded|applied)|\b(?:true|false|on|off|enabled|disabled)\s*(?:->|→|=>)\s*(?:true|false|on|off|enabled|disabled)\b/i;
/** The latest few such lines are kept beside the errors, whatever the caps. */
const MAX_CONFIG_LINES = 3;

const LEADING_TIME = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2}))\s/;

const MAX_ERROR_LINES = 40;
const MAX_ERROR_BYTES = 8_000;

export interface ErrorLines {
  /** Error-looking lines, oldest first, the newest kept when over the caps. */
  lines: string[];
  /** How many lines the log had, and how many looked like errors before the caps. */
  scanned: number;
  matched: number;
  /** The time of the first line scanned (its RFC 3339 prefix), error or not: where the part of the log read begins. */
  readFrom?: string;
}

/** Lines a terminated container printed last: why it died, whatever words it used (`[emerg] unexpected "}"`). */
export const LAST_WORDS = 5;

/**
 * Keeps only lines that look like errors, and the last `lastWords` lines whatever they say, within a line and byte
 * budget, newest first to survive the cut; and the latest lines saying the process took new configuration.
 */
export function errorLines(
  log: string,
  maxLines = MAX_ERROR_LINES,
  maxBytes = MAX_ERROR_BYTES,
  lastWords = 0,
): ErrorLines {
  const all = log.split('\n').filter((line) => line.trim() !== '');
  const matching = all.flatMap((line, index) =>
    ERROR_LINE.test(line) ||
    SERVER_ERROR_ANSWER.test(line) ||
    WARNING_LEVEL.test(line) ||
    index >= all.length - lastWords
      ? [index]
      : [],
  );
  const kept = new Set<number>();
  let bytes = 0;
  for (let i = matching.length - 1; i >= 0 && kept.size < maxLines; i--) {
    const index = matching[i] as number;
    bytes += Buffer.byteLength(all[index] as string) + 1;
    if (bytes > maxBytes) break;
    kept.add(index);
  }
  // The latest lines saying new configuration was taken join them, in the log's order.
  const taken = all.flatMap((line, index) => (CONFIG_TAKEN.test(line) && !kept.has(index) ? [index] : []));
  const configLines = taken.slice(-MAX_CONFIG_LINES);
  for (const index of configLines) kept.add(index);
  const readFrom = LEADING_TIME.exec(all[0] ?? '')?.[1];
  return {
    lines: [...kept].sort((a, b) => a - b).map((index) => all[index] as string),
    scanned: all.length,
    // Counted with the errors, so that `matched > lines` still says the errors were cut.
    matched: matching.length + configLines.length,
    ...(readFrom ? { readFrom } : {}),
  };
}
