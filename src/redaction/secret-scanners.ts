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
  return { id: rule.meta.id, handler: rule.create(context, (RULE_OPTIONS[rule.meta.id] ?? {}) as never) };
});

/** Every credential the preset's scanners find in `text`. Synchronous: the scanners are (checked as they run). */
export function scanForSecrets(text: string): Finding[] {
  const findings: Finding[] = [];
  found = findings;
  const source = sourceOf(text);
  for (const { id, handler } of HANDLERS) {
    const pending = handler.file?.(source);
    if (pending instanceof Promise) throw new Error(`${id} scans asynchronously; it cannot mask in line`);
  }
  return findings;
}
