import { scanForSecrets } from './secret-scanners.ts';

/**
 * Masks credentials in anything that leaves the process: Slack, the audit trail, stored results, CLI output, logs,
 * prompts to a model. Three sources of truth: secretlint's recommended scanners (vendor key formats, connection
 * strings, basic-auth URLs); a few patterns that preset has no rule for (JWTs, Authorization schemes,
 * `password=`/`token=` pairs, other schemes' URL passwords, PEM private keys, Stripe and Google keys); and the exact
 * values of the Secrets the investigation read (fetched only to build the mask set, never sent anywhere).
 */

export const MASK = '[REDACTED]';

/** Keys whose values are credentials whatever they look like. */
const CREDENTIAL_KEY =
  /(pass(word|wd|phrase)?|pwd|secret|token|api[-_]?key|apikey|access[-_]?key|private[-_]?key|client[-_]?secret|credential|auth(orization)?|session[-_]?id|cookie|signing[-_]?key|dsn|connection[-_]?string)$/i;

/**
 * Secrets also hold values that are not secret and are names elsewhere in the cluster (a username equal to the
 * app's name, a database name, a port). Masking those everywhere would erase the very names the investigation must
 * report, so a Secret value joins the mask set only when it looks like a credential: long, or short but mixing
 * letters with digits or symbols.
 */
function looksLikeCredential(value: string): boolean {
  if (value.length >= 16) return true;
  if (value.length < 6) return false;
  const classes = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^A-Za-z0-9._-]/].filter((pattern) => pattern.test(value)).length;
  return classes >= 2;
}

// What secretlint's preset does not cover. Vendor formats it has a rule for (AWS, GitHub, Slack, OpenAI…) are its.
const TEXT_PATTERNS: [RegExp, string | ((...groups: string[]) => string)][] = [
  // PEM blocks (private keys, certificates bundled with keys).
  [/-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----/g, MASK],
  // JSON Web Tokens.
  [/\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g, MASK],
  // HTTP authorization schemes.
  [/\b(Bearer|Basic|Token)\s+[A-Za-z0-9._~+/=-]{8,}/gi, (_m, scheme) => `${scheme} ${MASK}`],
  // Key formats with no rule in the preset: Stripe live keys, Google API keys, `sk-` keys of model providers.
  [/\b([rs]k_live_[A-Za-z0-9]{16,}|AIza[0-9A-Za-z_-]{30,}|sk-[A-Za-z0-9_-]{16,})/g, MASK],
  // Credentials inside URLs / connection strings of any scheme: scheme://user:password@host
  [/\b([a-z][a-z0-9+.-]{0,20}:\/\/[^\s:/@'"]{0,128}:)([^\s@'"/]{1,256})@/gi, (_m, prefix) => `${prefix}${MASK}@`],
  // key=value / key: value / "key": "value" where the key names a credential. A value that opens a JSON object or
  // array is structure, not a credential (`{"powderpass":{"total":7}}`, an application named …pass): its own
  // fields are matched one by one, and masking the brace would break the JSON it is part of.
  [
    /(["']?[\w.-]{0,64}(?:pass(?:word|wd|phrase)?|pwd|secret|token|api[-_]?key|apikey|access[-_]?key|private[-_]?key|client[-_]?secret|credential)["']?\s*[:=]\s*)(["']?)([^\s"',;&}{[][^\s"',;&}]*)\2/gi,
    (_m, prefix, quote) => `${prefix}${quote}${MASK}${quote}`,
  ],
];

/**
 * Text each of TEXT_PATTERNS needs to match (a literal or keyword every match contains; case ignored, so broader
 * than some patterns): text with none of it is skipped by all of them. What they put in, MASK, contains none, so a
 * pattern's replacement never makes a later pattern match where this said none could.
 */
const TEXT_PATTERN_HINT =
  /-----BEGIN |eyJ|bearer|basic|token|k_live_|AIza|sk-|:\/\/[^\s@]{0,400}@|pass|pwd|secret|key|credential/i;

const URL_PASSWORD = /^([a-z][a-z0-9+.-]{0,20}:\/\/[^\s:/@]*:)([^\s@/]+)@/i;

/** Replaces what the scanners found: a URL's password only (its host stays evidence), any other finding whole. */
function maskFindings(text: string): string {
  // A credential is at least a few characters: short strings (names, numbers) skip the scanners.
  if (text.length < 8) return text;
  const findings = scanForSecrets(text).sort((a, b) => a.start - b.start);
  if (findings.length === 0) return text;
  let output = '';
  let at = 0;
  for (const { start, end } of findings) {
    if (start < at) continue; // overlapping findings: the first one masked it
    const found = text.slice(start, end);
    const masked = URL_PASSWORD.test(found) ? found.replace(URL_PASSWORD, (_m, prefix) => `${prefix}${MASK}@`) : MASK;
    output += text.slice(at, start) + masked;
    at = end;
  }
  return output + text.slice(at);
}

const escapeRegExp = (value: string): string => value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Inputs whose masked text is remembered, and the longest remembered (longer texts rarely come twice). */
const REMEMBERED_TEXTS = 10_000;
const REMEMBERED_LENGTH = 1_024;

export class Redactor {
  private readonly secretValues = new Set<string>();
  private secretPattern: RegExp | null = null;
  /**
   * What text() answered for recent inputs. Audit rows and Slack messages repeat the same strings (reasons, kinds,
   * namespaces, channel ids) thousands of times in a burst, and the scanners cost far more than a lookup; forgotten
   * whenever the mask set changes.
   */
  private readonly masked = new Map<string, string>();

  /** `maxValues`: a long-lived process keeps the most recently read values, not every value it ever read. */
  constructor(
    secretValues: Iterable<string> = [],
    private readonly maxValues = 10_000,
  ) {
    this.addSecretValues(secretValues);
  }

  /** Secret values that look like credentials (and their base64 form) are masked wherever they appear. */
  addSecretValues(values: Iterable<string>): void {
    let added = false;
    for (const value of values) {
      for (const line of [value, ...value.split(/\r?\n/)]) {
        const trimmed = line.trim();
        if (!looksLikeCredential(trimmed)) continue;
        for (const form of [trimmed, Buffer.from(trimmed).toString('base64')]) {
          added ||= !this.secretValues.has(form);
          this.secretValues.delete(form); // re-added as the most recent
          this.secretValues.add(form);
        }
      }
    }
    for (const oldest of this.secretValues) {
      if (this.secretValues.size <= this.maxValues) break;
      this.secretValues.delete(oldest);
    }
    if (!added) return;
    this.masked.clear();
    // Longest first, so a value that contains another is masked whole.
    const alternatives = [...this.secretValues].sort((a, b) => b.length - a.length).map(escapeRegExp);
    this.secretPattern = alternatives.length > 0 ? new RegExp(alternatives.join('|'), 'g') : null;
  }

  text(input: string): string {
    const known = this.masked.get(input);
    if (known !== undefined) return known;
    let output = this.secretPattern ? input.replace(this.secretPattern, MASK) : input;
    output = maskFindings(output);
    if (TEXT_PATTERN_HINT.test(output)) {
      for (const [pattern, replacement] of TEXT_PATTERNS) output = output.replace(pattern, replacement as string);
    }
    if (input.length <= REMEMBERED_LENGTH) {
      // The oldest answer goes first (a Map iterates in insertion order).
      if (this.masked.size >= REMEMBERED_TEXTS) this.masked.delete(this.masked.keys().next().value as string);
      this.masked.set(input, output);
    }
    return output;
  }

  /** A deep copy with Secret payloads dropped and every string masked. */
  value<T>(input: T): T {
    return this.walk(input, undefined) as T;
  }

  private walk(input: unknown, key: string | undefined): unknown {
    if (typeof input === 'string') {
      if (key !== undefined && CREDENTIAL_KEY.test(key) && input.length > 0) return MASK;
      return this.text(input);
    }
    if (Array.isArray(input)) return input.map((item) => this.walk(item, undefined));
    if (input === null || typeof input !== 'object' || input instanceof Date) return input;
    const record = input as Record<string, unknown>;
    const output: Record<string, unknown> = {};
    const isSecret = record.kind === 'Secret';
    // An env var or a key/value pair whose name names a credential: `{name: "DB_PASSWORD", value: "…"}`.
    const namedCredential =
      (typeof record.name === 'string' && CREDENTIAL_KEY.test(record.name)) ||
      (typeof record.key === 'string' && CREDENTIAL_KEY.test(record.key));
    for (const [field, value] of Object.entries(record)) {
      if (isSecret && (field === 'data' || field === 'stringData')) {
        output[field === 'data' ? 'dataKeys' : 'stringDataKeys'] = Object.keys((value as object) ?? {});
        continue;
      }
      if (field === 'kubectl.kubernetes.io/last-applied-configuration' && typeof value === 'string') {
        // It can embed a whole Secret manifest; the live object already says everything else it holds.
        output[field] = MASK;
        continue;
      }
      if (namedCredential && field === 'value' && typeof value === 'string' && value.length > 0) {
        output[field] = MASK;
        continue;
      }
      output[field] = this.walk(value, field);
    }
    return output;
  }
}
