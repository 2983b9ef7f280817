/** A peer named in configuration or a log line: `host:port`, a URL, an IP:port, or a bare cluster DNS name. */
export interface HostMention {
  host: string;
  port?: number;
  /** The text it was read from, e.g. `tcp://cache:6379`. */
  raw: string;
}

// `scheme://host`, or `scheme:///host` (a gRPC name-resolver target: `dns:///svc.ns.svc:443`).
const URL = /\b[a-z][a-z0-9+.-]*:\/\/\/?(?:[^\s/@"']+@)?([A-Za-z0-9.-]+)(?::(\d{1,5}))?/g;
// `s3://mosaics/index`, `gs://scenes/raw`: an object store's URI names a bucket, not a host to resolve.
const BUCKET_SCHEME = /^(?:s3[an]?|gs|gcs|az|oss|cos|r2):\/\//i;
const HOST_PORT =
  /(?<![\w.:/@-])([A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*):(\d{1,5})(?![\w.])/g;
const TOKEN = /[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?/g;

/** Every `host[:port]` the text names explicitly (URLs and host:port pairs). */
export function hostMentions(text: string): HostMention[] {
  const found = new Map<string, HostMention>();
  for (const match of text.matchAll(URL))
    if (!BUCKET_SCHEME.test(match[0])) add(found, match[1] as string, match[2], match[0]);
  for (const match of text.matchAll(HOST_PORT)) add(found, match[1] as string, match[2], match[0]);
  return [...found.values()];
}

// A bare cluster DNS name with its `.svc` marker (`db.data.svc.cluster.local`): a host even without port or scheme.
const BARE_SERVICE_HOST =
  /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.svc(?:\.[a-z0-9.-]+)?\.?$/i;

/** Hosts a configuration value names: URLs and host:port, or the whole value when it is a bare `svc.ns.svc` name. */
export function configuredHosts(value: string): HostMention[] {
  const mentions = hostMentions(value);
  return mentions.length === 0 && BARE_SERVICE_HOST.test(value)
    ? [{ host: value.toLowerCase(), raw: value }]
    : mentions;
}

// A bare word where an address stands: after `//`, quoted whole (`"orders"`, or a structured field named for it:
// `"orders": "stale"`), the value of a key that names a peer (`upstream=orders`, `"host": "orders"`, `upstream orders:`), after a verb of
// calling and its preposition (`connect to orders`, `response from orders`, `dialing orders`), as the subject of an
// answer (`orders returned 502`), or as the prefix an error is wrapped in (`"err": "orders: upstream unavailable"`).
const NAME = '([A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)';
const NOT_DOTTED = '(?![.:/-]\\w)';
const BARE_HOST_POSITIONS = [
  `\\/\\/${NAME}\\b`,
  `(?:^|[\\s(\\[{,=:])["'\`]${NAME}["'\`](?=$|[\\s)\\]},;:.])`,
  `\\b(?:upstream|backend|peer|host|hostname|server|service|target|endpoint|addr|address|dest(?:ination)?|callee|remote)(?:["']?\\s*[=:]\\s*["']?|\\s+)${NAME}\\b${NOT_DOTTED}`,
  `\\b(?:connect\\w*|call\\w*|request\\w*|send\\w*|sent|proxy\\w*|forward\\w*|rout\\w*|post\\w*|publish\\w*|talk\\w*|response|reply|answer|error)\\s+(?:to|from|at|with)\\s+${NAME}\\b${NOT_DOTTED}`,
  `\\b(?:dial(?:ing)?|calling|reach(?:ing)?|contact(?:ing)?)\\s+(?!tcp\\b|udp\\b)${NAME}\\b${NOT_DOTTED}`,
  `(?:^|[\\s:;,("'=])${NAME}\\s+(?:returned|answered|responded|replied|timed out|is unavailable|unavailable|did not answer|not reachable|unreachable)\\b`,
  // Error wrapping (`fmt.Errorf("orders: %w", err)`): the component that failed prefixes the error it passes on.
  `(?:^|["'\`]|\\b(?:err|error|msg|message)=)${NAME}:\\s`,
].map((source) => new RegExp(source, 'gi'));

/**
 * The names a log line puts where a host goes: the hosts of URLs and host:port pairs, dotted names (`orders.shop`), and
 * bare words in an address position. A bare word anywhere else (`payment failed: card declined`) is a word of the
 * message, whatever Service shares its name.
 */
export function hostNamesIn(text: string): string[] {
  const names = new Set([
    ...hostMentions(text).map((mention) => mention.host),
    ...tokens(text)
      .filter((token) => token.includes('.'))
      .map((token) => token.toLowerCase()),
  ]);
  for (const position of BARE_HOST_POSITIONS)
    for (const match of text.matchAll(position)) names.add((match[1] as string).toLowerCase());
  return [...names];
}

/** Word-like tokens (letters, digits, dots, hyphens) a bare Service name can hide in. */
export const tokens = (text: string): string[] => text.match(TOKEN) ?? [];

function add(found: Map<string, HostMention>, host: string, port: string | undefined, raw: string): void {
  const mention: HostMention = { host: host.toLowerCase(), raw };
  if (port !== undefined) mention.port = Number(port);
  found.set(`${mention.host}:${mention.port ?? ''}`, mention);
}

export const isIPv4 = (host: string): boolean => /^\d{1,3}(\.\d{1,3}){3}$/.test(host);

/** A Service by namespace and name: what a host name points at. */
export type ServiceName = { name: string; namespace: string };

/**
 * The Service a cluster DNS name points at: `svc`, `svc.ns`, `svc.ns.svc`, `svc.ns.svc.<cluster domain>`, and the
 * governing Service of `pod.svc.ns.svc…` (a StatefulSet member's own name).
 * Returns undefined for names that are not cluster-internal (external hosts, IPs).
 */
export function serviceNameOf(host: string, fromNamespace: string): ServiceName | undefined {
  if (isIPv4(host)) return undefined;
  const parts = host.toLowerCase().replace(/\.$/, '').split('.');
  const [name, namespace, marker] = parts;
  if (!name) return undefined;
  if (parts.length === 1) return { name, namespace: fromNamespace };
  if (parts.length === 2 && namespace) return { name, namespace };
  if (marker === 'svc' && namespace) return { name, namespace };
  // A pod's stable name under its governing (headless) Service: `<pod>.<service>.<namespace>.svc…` (a StatefulSet
  // member) — the Service is the second label.
  if (parts[3] === 'svc' && namespace && marker) return { name: namespace, namespace: marker };
  return undefined;
}

/** A host that can only mean something inside the cluster (no public domain), so it must be a Service to resolve. */
export function looksClusterInternal(host: string): boolean {
  if (isIPv4(host) || host === 'localhost') return false;
  const parts = host.split('.');
  return parts.length === 1 || parts.includes('svc') || parts.at(-1) === 'local';
}
