import type { PodLogLine } from './logs.ts';

/**
 * What the cluster DNS server's own log says: when it reloaded its configuration (CoreDNS's `reload` plugin logs it
 * the moment the mounted Corefile changes: a change time the ConfigMap's metadata may not carry), and which lookups it
 * failed to forward (its `errors` plugin: the name, and the upstream that did not answer).
 */
export interface DnsServerLog {
  /** Times the server reloaded its configuration, in log order. */
  reloads: string[];
  /** Lookups it failed to resolve through an upstream. */
  failures: ForwardFailure[];
}

export interface ForwardFailure {
  line: PodLogLine;
  /** The name looked up, without the trailing dot. */
  name: string;
  /** The upstream address the query went to, when the line says. */
  upstream?: string;
}

// `[INFO] Reloading`, `plugin/reload: Running configuration SHA512 = …`.
const RELOAD = /\bReloading\b(?! complete)|plugin\/reload: Running configuration/i;
// `[ERROR] plugin/errors: 2 api.partner.example. A: read udp 10.0.0.5:4000->10.1.0.53:53: i/o timeout`
const FORWARD_ERROR = /plugin\/errors: \d+ (\S+?)\.? (?:A|AAAA|SRV|TXT|CNAME|MX|PTR|NS|SOA|HTTPS)\b: (.*)$/i;
const UPSTREAM = /(?:->|dial (?:udp|tcp) |\bto )(\d{1,3}(?:\.\d{1,3}){3})(?::\d+)?/;

export function readDnsServerLog(lines: PodLogLine[]): DnsServerLog {
  const reloads: string[] = [];
  const failures: ForwardFailure[] = [];
  for (const line of lines) {
    if (RELOAD.test(line.text)) {
      if (line.at && reloads.at(-1) !== line.at) reloads.push(line.at);
      continue;
    }
    const failed = FORWARD_ERROR.exec(line.text);
    if (!failed) continue;
    const upstream = UPSTREAM.exec(failed[2] ?? '')?.[1];
    failures.push({ line, name: (failed[1] as string).toLowerCase(), ...(upstream ? { upstream } : {}) });
  }
  return { reloads, failures };
}
