import { rules } from '@secretlint/secretlint-rule-preset-recommend';
import type { SecretLintRuleContext, SecretLintSourceCode } from '@secretlint/types';

/** A credential found in text: where it is, and which rule said so. */
export interface Finding {
  start: number;
  end: number;
  rule: string;
}

/**
 * The scanners of secretlint's recommended preset (AWS, GCP, private keys, npm, basic-auth URLs, Slack, SendGrid,
 * Shopify, GitHub, OpenAI, Anthropic, Linear, 1Password, database connection strings), run on text through their own
 * rule API. Its comment filter is left out on purpose: in text from the cluster, a `secretlint-disable` comment is
 * written by whoever wrote the log line, and must not switch the masking off.
 */
const SCANNERS = rules.filter((rule) => rule.meta.type === 'scanner' && !rule.meta.id.endsWith('filter-comments'));

/** Options beyond the rules' defaults: an access key id in a log line is worth masking too (off by default). */
const RULE_OPTIONS: Record<string, unknown> = { '@secretlint/secretlint-rule-aws': { enableIDScanRule: true } };

function sourceOf(content: string): SecretLintSourceCode {
  return { ...SOURCE, content };
}

const unsupported = () => {
  throw new Error('not available on redacted text');
};
const SOURCE: SecretLintSourceCode = {
  hasBOM: false,
  content: '',
  filePath: undefined,
  physicalFilePath: undefined,
  contentType: 'text',
  ext: '.txt',
  getFilePath: () => undefined,
  getPhysicalFilePath: () => undefined,
  locationToRange: unsupported,
  rangeToLocation: unsupported,
  positionToIndex: unsupported,
  indexToPosition: unsupported,
};

/**
 * What each scanner's patterns need in a text: a literal or word that every match of every pattern of the rule
 * contains (case ignored, so broader than the case-sensitive ones), read off the preset's own patterns (11.7). A text
 * without it is not given to that scanner, which could find nothing in it: most texts (ids, names, reasons, times)
 * hold none, and each rule compiles and runs its patterns per text. A scanner not listed sees every text (the GCP
 * rule only reads .json/.p12 sources; a rule a newer preset adds).
 */
const NEEDS: Record<string, RegExp> = {
  // Access key ids (A3T…, AKIA…), AWS_SECRET_ACCESS_KEY=…, AWS_ACCOUNT_ID=…
  '@secretlint/secretlint-rule-aws': /A3T|AKIA|AGPA|AIDA|AROA|AIPA|ANPA|ANVA|ASIA|secret|account/i,
  // https://…:x-oauth-basic@github.com/, _authToken=…, npm_…
  '@secretlint/secretlint-rule-npm': /x-oauth-basic|_authToken|npm_/i,
  // xoxb-… tokens, https://hooks.slack.com/services/…
  '@secretlint/secretlint-rule-slack': /xox[bpaor]-|xapp-|hooks\.slack\.com/i,
  // http(s)/ftp(s)://user:password@host (the @ alone: a test of both would scan long texts more than once)
  '@secretlint/secretlint-rule-basicauth': /@/,
  // Every OpenAI key format holds T3BlbkFJ ("OpenAI" in base64).
  '@secretlint/secretlint-rule-openai': /T3BlbkFJ/i,
  '@secretlint/secretlint-rule-anthropic': /sk-ant-api0/i,
  '@secretlint/secretlint-rule-linear': /lin_api_/i,
  '@secretlint/secretlint-rule-privatekey': /-----BEGIN/i,
  '@secretlint/secretlint-rule-sendgrid': /SG\./i,
  '@secretlint/secretlint-rule-shopify': /shp(pa|ca|at|ss)_/i,
  '@secretlint/secretlint-rule-github': /gh[pousr]_|github_pat_/i,
  '@secretlint/secretlint-rule-1password': /ops_ey/i,
  // mongodb(+srv)://, (jdbc:)mysql(x)://, postgres(ql)://
  '@secretlint/secretlint-rule-database-connection-string': /mongodb|mysql|postgres/i,
};

/** Where the scanners report: the findings of the text being scanned (scanning is synchronous, one text at a time). */
let found: Finding[] = [];

/**
 * Each scanner's handler, made once: a rule's `create` only reads its options and messages, and keeps nothing from
 * one text to the next (each `file` call works on the source it is given). Made per text, the handlers were most of
 * the cost of scanning the short texts audit rows and Slack messages are made of.
 */
const HANDLERS = SCANNERS.map((rule) => {
  const context: SecretLintRuleContext = {
    sharedOptions: {},
    // as never: secretlint types the translator for its message catalogue; only report ranges are used here.
    createTranslator: (() => (id: string) => ({ id, message: id, data: {} })) as never,
    report: ({ range }) => found.push({ start: range[0], end: range[1], rule: rule.meta.id }),
    ignore: () => undefined,
  };
  // as never: each rule types its own options; RULE_OPTIONS is keyed by rule id, so the pairing is by id.
  const handler = rule.create(context, (RULE_OPTIONS[rule.meta.id] ?? {}) as never);
  return { id: rule.meta.id, handler, needs: NEEDS[rule.meta.id] };
});

/**
 * Every credential the preset's scanners find in `text`. Synchronous: the scanners are (checked as they run).
 * `everyScanner`: each scanner sees the text whatever it holds (tests compare the two).
 */
export function scanForSecrets(text: string, { everyScanner = false } = {}): Finding[] {
  const findings: Finding[] = [];
  found = findings;
  const source = sourceOf(text);
  for (const { id, handler, needs } of HANDLERS) {
    if (needs && !everyScanner && !needs.test(text)) continue;
    const pending = handler.file?.(source);
    if (pending instanceof Promise) throw new Error(`${id} scans asynchronously; it cannot mask in line`);
  }
  return findings;
}
