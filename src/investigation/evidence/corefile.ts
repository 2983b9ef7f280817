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

/** The Corefile's server blocks with a `forward` plugin to upstreams of their own. */
export function forwardingBlocks(corefile: string): ServerBlock[] {
  const blocks: ServerBlock[] = [];
  let depth = 0;
  let current: ServerBlock | undefined;
  for (const raw of corefile.split('\n')) {
    const line = raw.replace(/#.*/, '').trim();
    if (!line) continue;
    if (depth === 0 && line.endsWith('{')) {
      current = { zones: line.slice(0, -1).trim().split(/\s+/).filter(Boolean).map(zoneOf), upstreams: [] };
      depth = 1;
      continue;
    }
    if (current && depth === 1) {
      const [directive, from, ...to] = line.split(/\s+/);
      if (directive === 'forward' && from) current.upstreams.push(...to.filter(isAddress));
    }
    if (line.endsWith('{')) depth++;
    if (line.startsWith('}') || line.endsWith('}')) depth = Math.max(0, depth - 1);
    if (depth === 0 && current) {
      if (current.upstreams.length > 0) blocks.push(current);
      current = undefined;
    }
  }
  return blocks;
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
const isAddress = (target: string): boolean => !target.startsWith('/') && target !== '{';

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
