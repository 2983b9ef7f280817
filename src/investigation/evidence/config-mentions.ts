/** One setting of a ConfigMap: a key of its data, or a `name: value` / `name=value` line of a file it holds. */
export interface Setting {
  key: string;
  value: string;
}

const INNER_PAIR = /^[ \t]*"?([A-Za-z_][\w.-]{2,})"?[ \t]*[:=][ \t]*"?([^"\n#,{}[\]]*?)"?[ \t]*,?[ \t]*$/gm;

// Values too common to point at one setting when an error line happens to contain them.
const COMMON_WORDS = new Set(
  (
    'true false yes no on off none null nil default auto enabled disabled info debug warn warning error trace fatal ' +
    'json text plain http https tcp udp grpc local prod production staging dev development test always never strict ' +
    'all any low medium high standard basic simple legacy primary secondary latest stable utc unknown empty'
  ).split(' '),
);

export function settingsOf(data: Record<string, string>): Setting[] {
  return Object.entries(data).flatMap(([key, value]) =>
    value.includes('\n') || value.length > 200
      ? [...value.matchAll(INNER_PAIR)].map((m) => ({ key: m[1] as string, value: (m[2] as string).trim() }))
      : [{ key, value: value.trim() }],
  );
}

/** Short numbers, booleans, common words: an error line containing them says nothing about which setting it means. */
export function isTrivialValue(value: string): boolean {
  const v = value.trim();
  return (
    v.length < 4 ||
    COMMON_WORDS.has(v.toLowerCase()) ||
    (/^[-+]?\d+(\.\d+)?[a-z%]{0,3}$/i.test(v) && v.length < 7) ||
    /^[a-z]{1,4}$/i.test(v)
  );
}

// Endpoints are the business of the detectors that check hosts and peers; a refused connection quoting one is theirs.
const ENDPOINT = /:\/\/|\.svc\b|^[\w.-]+:\d+$/;

/** The text as a regular expression that matches it literally. */
export const literal = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Whether a log line quotes this setting: its key as a whole token, or its non-trivial value — a bare word only when
 * quoted or assigned (strategy="x", mode=x), anything with separators as a whole token.
 */
export function quotesSetting(text: string, setting: Setting): boolean {
  const { key, value } = setting;
  if (key.length >= 6 && /[_.-]|[A-Z]{2}/.test(key) && namesIdentifier(text, key)) return true;
  if (isTrivialValue(value) || ENDPOINT.test(value)) return false;
  const v = literal(value);
  if (/^[A-Za-z]+$/.test(value)) return new RegExp(`["'\`=]\\s*${v}\\b|\\b${v}["'\`]`).test(text);
  return new RegExp(`(?<![\\w.-])${v}(?![\\w-])`).test(text);
}

/**
 * Whether the text names a compound identifier in any of the spellings code gives one name: a flag `zone-pricing-v3`
 * is `zone_pricing_v3` in a Python logger, `zonePricingV3` in a Java one, `ZONE_PRICING_V3` in env. Its words (split at
 * `-`, `_`, `.` and camel humps) in order, joined by one of those separators or none, case aside, as a whole token.
 */
export function namesIdentifier(text: string, key: string): boolean {
  const words = key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .split(/[\s_.-]+/)
    .filter((word) => word !== '');
  if (words.length < 2) return new RegExp(`(?<![\\w.-])${literal(key)}(?![\\w-])`).test(text);
  // A logger's or a setting's prefix may come before it (pricing.surge_v2), not more words of a longer name.
  return new RegExp(`(?<![a-z0-9_-])${words.map(literal).join('[-_.]?')}(?![a-z0-9_-])`, 'i').test(text);
}
