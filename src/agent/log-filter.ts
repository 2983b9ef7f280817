import { errorLines } from '../investigation/tools/error-lines.ts';

/** Only lines that look like errors reach the model (the engine's definition of one), newest kept. */
function filterLogLines(lines: string[]): { lines: string[]; dropped: number } {
  const kept = errorLines(lines.join('\n')).lines;
  return { lines: kept, dropped: lines.length - kept.length };
}

/**
 * Tool results are arbitrary JSON; any string array under a `lines` key, or a multi-line `log`/`logs` string, is
 * treated as a log and filtered, whichever tool returned it.
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
