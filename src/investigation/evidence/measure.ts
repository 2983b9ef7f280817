/**
 * Numbers with units as operators' settings and servers' logs write them, on one scale per dimension so that a
 * setting (`maxSize: 1.5Ti`, `maxmemory 64mb`, `flood_stage: 70%`) can be compared with what a log or an event
 * measured (`1.5 TiB`, `used memory 190.2MB`, `[70%]`): Kubernetes quantities (`512Mi`, `2G`, `250m`), human and log
 * forms of bytes (`512mb`, `1.5 TiB`, `25.8gb`, `2 GB`), percentages, and plain counts. Pure.
 */

/** A measured or set amount: bytes, a percentage (0–100), or a plain number (a count, a limit without a unit). */
export interface Measure {
  value: number;
  unit: 'bytes' | 'percent' | 'count';
}

const BINARY: Record<string, number> = { k: 2 ** 10, m: 2 ** 20, g: 2 ** 30, t: 2 ** 40, p: 2 ** 50, e: 2 ** 60 };
const DECIMAL: Record<string, number> = { k: 1e3, m: 1e6, g: 1e9, t: 1e12, p: 1e15, e: 1e18 };

/**
 * One amount, the whole text: `1.5Ti`, `1.5 TiB`, `512mb`, `512 MB`, `2G`, `64Mi`, `90%`, `262144`, `1e6`. Units of
 * bytes follow the usage of their spelling: `Ki`/`KiB`/`Mi`… are binary; `KB`/`MB`/`GB` and Kubernetes' `k`/`M`/`G`
 * are decimal, except in lower case with a `b` (`mb`, `gb`), which servers such as caches write for binary units.
 * A lone `m` is Kubernetes' milli (`250m` is a quarter), never a megabyte. Undefined for anything else.
 */
export function parseMeasure(text: string | number | undefined): Measure | undefined {
  if (text === undefined) return undefined;
  if (typeof text === 'number') return Number.isFinite(text) ? { value: text, unit: 'count' } : undefined;
  const match = /^\s*([+-]?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)\s*([A-Za-z%]*)\s*$/.exec(text);
  if (!match) return undefined;
  const value = Number(match[1]);
  const suffix = match[2] ?? '';
  if (!Number.isFinite(value)) return undefined;
  if (suffix === '') return { value, unit: 'count' };
  if (suffix === '%') return { value, unit: 'percent' };
  if (suffix === 'm') return { value: value / 1000, unit: 'count' };
  if (/^[bB](?:ytes?)?$/.test(suffix)) return { value, unit: 'bytes' };
  const bytes = /^([kKmMgGtTpPeE])(i?)([bB]?)(?:ytes)?$/.exec(suffix);
  if (!bytes) return undefined;
  const [, prefix = '', binaryMark, byteMark] = bytes;
  const letter = prefix.toLowerCase();
  // `Ki`, `MiB`: binary. `mb`, `gb` written in lower case: binary, as caches and search engines print them.
  const binary = binaryMark === 'i' || (byteMark === 'b' && prefix === letter);
  // A bare decimal suffix (`2G`, `500k`) is a Kubernetes quantity of anything; with a `B` it is bytes.
  const isBytes = binaryMark === 'i' || byteMark !== '';
  const factor = (binary ? BINARY : DECIMAL)[letter];
  if (factor === undefined) return undefined;
  return { value: value * factor, unit: isBytes || binary ? 'bytes' : 'count' };
}

/**
 * Every amount a line of text writes, in order: `used memory 190.2MB > 'maxmemory' 64mb`, `free: 25.8gb[26.3%]`,
 * `reached quota's max_bytes: 1.5 TiB`. Bare numbers count too, but not those inside words or identifiers
 * (`NW-0218`, `v1.62.0`, a timestamp).
 */
export function measuresIn(line: string): Measure[] {
  const found: Measure[] = [];
  const pattern =
    /(?<![\w.:/-])(\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)(\s?(?:[KMGTPE]i?B?|[kmgtpe]i?b|[kKMGTPE]B|bytes?|%))?(?![\w.:/-]?\w)/g;
  for (const match of line.matchAll(pattern)) {
    const measure = parseMeasure(`${match[1]}${(match[2] ?? '').trim()}`);
    if (measure) found.push(measure);
  }
  return found;
}

/** Whether two amounts are the same, within rounding (1%): `1.5Ti` and `1.5 TiB`, `64mb` and `67108864` bytes. */
export function sameMeasure(a: Measure, b: Measure): boolean {
  if (a.unit !== b.unit && !(a.unit === 'count' || b.unit === 'count')) return false;
  const scale = Math.max(Math.abs(a.value), Math.abs(b.value));
  return scale === 0 || Math.abs(a.value - b.value) <= scale * 0.01;
}
