import type { Container } from './workloads.ts';

/** How much memory a process is told to use, read from its command line or environment, and where it says so. */
export interface ConfiguredMemory {
  bytes: number;
  setting: string;
  /**
   * `cache`: a size the process fills on purpose (a cache or key-value store keeps data up to it); `heap`: a ceiling
   * a garbage-collected runtime grows toward only as what it holds keeps growing.
   */
  holds: 'cache' | 'heap';
}

const MiB = 2 ** 20;
const UNIT: Record<string, number> = { '': 1, k: 2 ** 10, m: MiB, g: 2 ** 30, t: 2 ** 40 };

/** `512m`, `2g`, `1gb`, `1GiB`, `800MB` → bytes; `plain` is the unit of a bare number. */
function size(value: string, plain: number): number | undefined {
  const match = /^(\d+(?:\.\d+)?)\s*([kmgt]?)(?:i?b|i)?$/i.exec(value);
  if (!match) return undefined;
  const unit = (match[2] ?? '').toLowerCase();
  return Number(match[1]) * (unit === '' ? plain : (UNIT[unit] as number));
}

// The usual ways of telling a runtime or a cache how much memory to hold: a JVM heap, a V8 old space, a Go soft
// limit, a cache or key-value store's memory size. Bare numbers are in the unit the flag documents.
const SETTINGS: { pattern: RegExp; plain: number; holds: ConfiguredMemory['holds'] }[] = [
  { pattern: /(?:^|\s)-Xmx(\d+[kmgt]?)(?=\s|$)/i, plain: 1, holds: 'heap' },
  { pattern: /--max-old-space-size[= ](\d+)(?=\s|$)/, plain: MiB, holds: 'heap' },
  { pattern: /(?:^|\s)GOMEMLIMIT=(\d+(?:[KMGT]i)?B?)(?=\s|$)/, plain: 1, holds: 'heap' },
  { pattern: /(?:^|\s)--?maxmemory[= ](\d+[kmgt]?b?)(?=\s|$)/i, plain: 1, holds: 'cache' },
  // A memory size in megabytes given as `-m N` / `--memory-limit N` (caches): only a bare number counts, so that
  // `-m module` of an interpreter never does.
  { pattern: /(?:^|\s)(?:-m|--memory-limit)[= ]?(\d+)(?=\s|$)/, plain: MiB, holds: 'cache' },
];

/**
 * The largest memory size the container's command line or environment sets for the process, if any: a process told to
 * hold more than its container's limit is killed by the limit however it is written, so the limit is too low for the
 * working set it is configured to keep, which is not a leak.
 */
export function configuredMemory(container: Container | undefined): ConfiguredMemory | undefined {
  if (!container) return undefined;
  const words = [
    ...(container.command ?? []),
    ...(container.args ?? []),
    ...(container.env ?? []).flatMap((env) => (env.value ? [`${env.name}=${env.value}`, env.value] : [])),
  ].join(' ');
  let found: ConfiguredMemory | undefined;
  for (const { pattern, plain, holds } of SETTINGS) {
    const match = new RegExp(pattern.source, `${pattern.flags}g`);
    for (const hit of words.matchAll(match)) {
      const bytes = size(hit[1] as string, plain);
      if (bytes !== undefined && bytes > (found?.bytes ?? 0)) found = { bytes, setting: hit[0].trim(), holds };
    }
  }
  return found;
}
