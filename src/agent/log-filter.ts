const ERROR_LINE =
  /\b(error|err|exception|fatal|panic|fail(ed|ure|ing)?|refused|timed? ?out|denied|forbidden|unauthori[sz]ed|killed|oom|out of memory|unable|cannot|can't|could not|couldn't|invalid|missing|not found|no such|unreachable|reset by peer|broken pipe|traceback|warn(ing)?|crash|abort(ed)?|segfault|exit(ed)? (code|status))\b/i;

/** When there are more error lines than this, the newest matter most. */
const MAX_LOG_LINES = 40;

/** Only lines that look like errors reach the model, newest kept. */
export function filterLogLines(lines: string[]): { lines: string[]; dropped: number } {
  const errors = lines.filter((line) => ERROR_LINE.test(line));
  const kept = errors.slice(-MAX_LOG_LINES);
  return { lines: kept, dropped: lines.length - kept.length };
}

/**
 * Tool results are arbitrary JSON; any string array under a `lines` key, or a multi-line `log`/`text` string,
 * is treated as a log and filtered.
 */
export function filterLogsIn(value: unknown): { value: unknown; dropped: number } {
  let dropped = 0;
  const walk = (node: unknown, key?: string): unknown => {
    if (key === 'lines' && Array.isArray(node) && node.every((line) => typeof line === 'string')) {
      const filtered = filterLogLines(node as string[]);
      dropped += filtered.dropped;
      return filtered.lines;
    }
    if ((key === 'log' || key === 'logs') && typeof node === 'string' && node.includes('\n')) {
      const filtered = filterLogLines(node.split('\n'));
      dropped += filtered.dropped;
      return filtered.lines.join('\n');
    }
    if (Array.isArray(node)) return node.map((item) => walk(item));
    if (node === null || typeof node !== 'object') return node;
    return Object.fromEntries(Object.entries(node as Record<string, unknown>).map(([k, v]) => [k, walk(v, k)]));
  };
  return { value: walk(value), dropped };
}
