/**
 * What a routing object's settings do to requests, by the words routers name them with (an annotation's key, a spec
 * field's name), and the words clients use for each when it bites them: a router that refuses an address outside its
 * allowlist resets the connection or answers 403; a rate limit answers 429; a timeout 504; an auth rule 401; a body
 * size limit 413. No router product is listed: the words are the rules' own.
 */
interface TrafficRule {
  rule: string;
  /** How the rule is named in a key (annotation, field name). */
  setting: RegExp;
  /** How clients and alerts describe meeting it. */
  felt: RegExp;
}

const RULES: readonly TrafficRule[] = [
  {
    rule: 'address allowlist',
    setting: /allow-?list|white-?list|deny-?list|black-?list|source-?range|ip[-_]?(?:allow|deny)|client-?ips?\b/i,
    felt: /connection reset|reset by peer|\b403\b|forbidden|access denied|not allowed|blocked/i,
  },
  {
    rule: 'rate limit',
    setting: /rate-?limit|limit-?(?:rps|rpm|connections)|rate-?http|requests-?per/i,
    felt: /\b429\b|too many requests|rate.?limit|throttl/i,
  },
  // A router's own timeout answers the client 504: a backend's timeout to its database is no sign of it.
  { rule: 'timeout', setting: /time-?out/i, felt: /\b504\b|gateway time-?out/i },
  { rule: 'authentication', setting: /\bauth|oauth|jwt|basic-?auth/i, felt: /\b401\b|unauthori[sz]ed|authenticat/i },
  // How the router reaches the upstream over TLS (whether it does, the name it checks, the CAs it trusts); when they do not fit the
  // backend's certificate the handshake fails, which the router answers 502 for and logs as x509.
  {
    rule: 'upstream TLS setting',
    setting: /(?:^|\/)(?:tls|server-?name|sni|root-?cas\w*|insecure-?skip-?verify|ca-?secret|proxy-ssl-[\w-]+)$/i,
    // A mesh proxy that sends plaintext where the server's proxy requires mutual TLS sees the connection closed before
    // any answer (Envoy: `connection termination`, the server side's `filter_chain_not_found`).
    felt: /x509|bad certificate|certificate is (?:not )?valid for|failed to verify certificate|tls handshake|connection_termination|reset reason: connection termination|filter_chain_not_found/i,
  },
  {
    rule: 'request size limit',
    setting: /body-?size|max-?body|request-?size/i,
    felt: /\b413\b|too large|entity too large/i,
  },
];

/**
 * Every key of an object's annotations and spec, with its value when it is a scalar (`timeout=30s`), a block's key
 * with its content in short (`rateLimit={"average":30}`). An object that
 * keeps its settings beside its metadata rather than in a spec (a plugin object: `plugin: rate-limiting`, `config:`)
 * is read from those fields.
 */
function settings(object: { metadata?: { annotations?: Record<string, string> }; spec?: unknown }): string[] {
  const found = Object.entries(object.metadata?.annotations ?? {}).map(([key, value]) => `${key}=${value}`);
  const visit = (value: unknown, key: string): void => {
    if (Array.isArray(value)) {
      for (const item of value) visit(item, key);
    } else if (value && typeof value === 'object') {
      // A block's key names its rule as well as a scalar's does (`rateLimit: {average: 30}`).
      if (key) found.push(`${key}=${JSON.stringify(value).slice(0, BLOCK_TEXT)}`);
      for (const [inner, v] of Object.entries(value)) visit(v, inner);
    } else if (key) found.push(`${key}=${String(value)}`);
  };
  visit(object.spec ?? beside(object), '');
  return found;
}

/** How much of a block's content a setting quotes. */
const BLOCK_TEXT = 80;

/** An object's own fields beside its identity, metadata and status. */
const beside = (object: object): Record<string, unknown> =>
  Object.fromEntries(
    Object.entries(object).filter(([key]) => !['apiVersion', 'kind', 'metadata', 'status'].includes(key)),
  );

/** Keys whose value says what an object does (`plugin: rate-limiting`, `type: jwt`): the value names the rule. */
const WHAT_IT_DOES = /^(?:plugin|type)$/;

/** The name a setting is matched on: its key, or its value when the key only says that the value names the rule. */
function settingName(entry: string): string {
  const [key = '', ...value] = entry.split('=');
  return WHAT_IT_DOES.test(key) ? value.join('=') : key;
}

/**
 * The rules an object sets whose bite the text describes (an allowlist annotation, and clients whose connections are
 * reset), each with the setting that names it.
 */
export function rulesFelt(
  object: { metadata?: { annotations?: Record<string, string> }; spec?: unknown },
  text: string,
): { rule: string; setting: string }[] {
  const set = settings(object);
  return RULES.flatMap(({ rule, setting, felt }) => {
    if (!felt.test(text)) return [];
    const named = set.find((entry) => setting.test(settingName(entry)));
    return named ? [{ rule, setting: named }] : [];
  });
}
