/**
 * The server blocks of a CoreDNS Corefile, as far as where lookups go: the zones a block answers for and the upstream
 * resolvers its `forward` plugin sends them to. A block forwarding to addresses of its own (a stub zone for a partner's
 * or an on-premises domain, or every outside name to a corporate resolver) is configuration someone wrote: when those
 * upstreams do not answer, the lookups of that zone fail while every other name resolves.
 */
export interface ServerBlock {
  /** `partner.example` style zones, without port and trailing dot; `.` for the root. */
  zones: string[];
  /** The forward plugin's upstream addresses (IPs, `tls://…`), not the node's resolv.conf. */
  upstreams: string[];
}

/** A plugin at the top of a server block: its words (a trailing `{` left out) and the lines of its own block. */
interface Plugin {
  words: string[];
  body: string[];
}

/** The Corefile's server blocks, each with its zones and its plugins in the order written, comments left out. */
function serverBlocks(corefile: string): { zones: string[]; plugins: Plugin[] }[] {
  const blocks: { zones: string[]; plugins: Plugin[] }[] = [];
  let depth = 0;
  let current: { zones: string[]; plugins: Plugin[] } | undefined;
  for (const raw of corefile.split('\n')) {
    const line = raw.replace(/#.*/, '').trim();
    if (!line) continue;
    if (depth === 0 && line.endsWith('{')) {
      current = { zones: line.slice(0, -1).trim().split(/\s+/).filter(Boolean).map(zoneOf), plugins: [] };
      depth = 1;
      continue;
    }
    const inPlugin = depth >= 2;
    if (current && depth === 1 && !line.startsWith('}'))
      current.plugins.push({ words: line.replace(/\{$/, '').trim().split(/\s+/), body: [] });
    if (line.endsWith('{')) depth++;
    if (line.startsWith('}') || line.endsWith('}')) depth = Math.max(0, depth - 1);
    if (current && inPlugin && depth >= 2) current.plugins.at(-1)?.body.push(line);
    if (depth === 0 && current) {
      blocks.push(current);
      current = undefined;
    }
  }
  return blocks;
}

/** The Corefile's server blocks with a `forward` plugin to upstreams of their own. */
export function forwardingBlocks(corefile: string): ServerBlock[] {
  return serverBlocks(corefile)
    .map(({ zones, plugins }) => ({
      zones,
      upstreams: plugins.flatMap(({ words: [directive, from, ...to] }) =>
        directive === 'forward' && from ? to.filter(isAddress) : [],
      ),
    }))
    .filter((block) => block.upstreams.length > 0);
}

/** `partner.example:53` → `partner.example`; `.:53` → `.`; `dns://x.example.` → `x.example`. */
const zoneOf = (key: string): string => {
  const zone = key
    .replace(/^[a-z]+:\/\//, '')
    .replace(/:\d+$/, '')
    .replace(/\.$/, '');
  return zone === '' ? '.' : zone.toLowerCase();
};

/** An upstream address, not a resolv.conf path (the node's own resolvers, which nobody configured here). */
const isAddress = (target: string): boolean => !target.startsWith('/');

/** Whether a name falls in the zone (the root holds every name). */
export const inZone = (name: string, zone: string): boolean => {
  const host = name.toLowerCase().replace(/\.$/, '');
  return zone === '.' || host === zone || host.endsWith(`.${zone}`);
};

/** The host of an upstream (`tls://10.0.0.53`, `10.0.0.53:5353`) for matching against addresses in error lines. */
export const upstreamHost = (upstream: string): string => upstream.replace(/^[a-z]+:\/\//, '').replace(/:\d+$/, '');

// A line opening a server block at the top of a file: `zone[:port] [zone…] {`.
const SERVER_BLOCK_START = /^[^\s{}#]+(?:\s+[^\s{}#]+)*\s*\{\s*(?:#.*)?$/m;

/**
 * The texts of a DNS server's ConfigMap that hold server blocks: its `Corefile`, and every other key written as one
 * or more whole server blocks — the files a Corefile pulls in with `import` (a managed cluster's custom zones, kept
 * under their own keys beside or instead of the Corefile).
 */
export function serverFiles(data: Record<string, string> | undefined): string[] {
  return Object.entries(data ?? {})
    .filter(([key, text]) => key === 'Corefile' || forwardingBlocks(text).length > 0 || startsServerBlock(text))
    .map(([, text]) => text);
}

const startsServerBlock = (text: string): boolean =>
  text
    .split('\n')
    .map((line) => line.replace(/#.*/, '').trim())
    .filter(Boolean)
    .some((line) => SERVER_BLOCK_START.test(line) && /^[^\s]*[.:]/.test(line));

/** Whether a ConfigMap holds DNS server configuration (a Corefile or server blocks under keys of their own). */
export const holdsServerBlocks = (data: Record<string, string> | undefined): boolean => serverFiles(data).length > 0;

/** The server blocks with upstreams of their own, over every server file of the ConfigMap. */
export const forwardingBlocksOf = (data: Record<string, string> | undefined): ServerBlock[] =>
  serverFiles(data).flatMap(forwardingBlocks);

/** A `hosts` plugin that answers for the cluster domain itself, as a server block of the Corefile configures it. */
export interface ShadowingHosts {
  /** The zones of the server block it sits in. */
  block: string[];
  /** The zones the plugin answers for (its own, else the block's). */
  zones: string[];
  /** The names it lists inline. */
  names: string[];
}

/**
 * A `hosts` plugin without `fallthrough` for the cluster domain, in a server block that serves the cluster domain.
 * CoreDNS runs its plugins in the order it was built with, not the Corefile's, and `hosts` comes before `kubernetes`:
 * a name in the plugin's zones that it does not list is answered NXDOMAIN there, unless `fallthrough` passes it on —
 * so every Service name fails to resolve, whatever the kubernetes plugin below would have answered. A plugin meant
 * for a few outside names (a partner's hosts) needs its own zones or `fallthrough`; without either it takes the root.
 */
export function shadowingHosts(corefile: string, clusterDomain: string): ShadowingHosts | undefined {
  for (const { zones: block, plugins } of serverBlocks(corefile)) {
    if (!block.some((zone) => inZone(clusterDomain, zone))) continue;
    for (const { words, body } of plugins) {
      const [directive, , ...zonesGiven] = words;
      if (directive !== 'hosts') continue;
      // `hosts [FILE [ZONES...]]`: the zones follow the file; none given, the server block's.
      const zones = zonesGiven.length > 0 ? zonesGiven.map(zoneOf) : block;
      if (!zones.some((zone) => inZone(clusterDomain, zone)) || fallsThrough(body, clusterDomain)) continue;
      return { block, zones, names: listedNames(body) };
    }
  }
  return undefined;
}

/** Whether the plugin's `fallthrough` passes names of the domain on (given no zones, it passes every name). */
function fallsThrough(body: string[], domain: string): boolean {
  const fallthrough = body.map((entry) => entry.split(/\s+/)).find(([word]) => word === 'fallthrough');
  return (
    fallthrough !== undefined &&
    (fallthrough.length === 1 ||
      fallthrough
        .slice(1)
        .map(zoneOf)
        .some((zone) => inZone(domain, zone)))
  );
}

/** The names the plugin's block lists inline, on `<address> <name>…` lines. */
const listedNames = (body: string[]): string[] =>
  body
    .map((entry) => entry.split(/\s+/))
    .filter(([first]) => /^[\d.:a-f]+$/i.test(first ?? '') && /[.:]/.test(first ?? ''))
    .flatMap(([, ...hosts]) => hosts);
