import type { Certificate } from './certificates.ts';
import { configuredHosts, hostMentions, serviceNameOf } from './hosts.ts';
import type { ClusterSnapshot } from './snapshot.ts';

type PodSpec = NonNullable<NonNullable<ClusterSnapshot['pods'][number]['spec']>>;

/**
 * An expired certificate's notAfter as TLS libraries quote it: Go (`current time X is after 2026-12-01T07:00:00Z`),
 * Java (`NotAfter: Tue Dec 01 07:00:00 UTC 2026`), and the plain `expired on/at <time>` many clients print.
 */
const EXPIRED_AT =
  /(?:is after|NotAfter:?|not after|expired (?:on|at)|valid until)\s*(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z|[A-Z][a-z]{2} [A-Z][a-z]{2} [ \d]\d \d{2}:\d{2}:\d{2} (?:UTC|GMT) \d{4})/i;

/**
 * The hosts a client calls, as its configuration and errors name them: its env values, the hosts the Secrets it
 * reads name (a connection URL kept in a Secret), and those its error lines name.
 */
export function calledHosts(
  spec: PodSpec | undefined,
  secrets: readonly ClusterSnapshot['secrets'][number][],
  lines: readonly string[],
): string[] {
  const env = [...(spec?.initContainers ?? []), ...(spec?.containers ?? [])]
    .flatMap((container) => container.env ?? [])
    .flatMap((variable) => (variable.value ? configuredHosts(variable.value) : []));
  const kept = secrets.flatMap((secret) => Object.values(secret.hosts ?? {}).flat()).flatMap(configuredHosts);
  const named = lines.flatMap((line) => hostMentions(line));
  return [...new Set([...env, ...kept, ...named].map((mention) => mention.host))];
}

/** Whether a certificate's name covers a host, as written or as the same Service of the same namespace. */
function covers(dnsName: string, host: string, certificateNamespace: string, clientNamespace: string): boolean {
  const name = dnsName.toLowerCase().replace(/\.$/, '');
  if (name === host) return true;
  if (name.startsWith('*.')) return host.endsWith(name.slice(1)) && !host.slice(0, -name.length + 1).includes('.');
  const issued = serviceNameOf(name, certificateNamespace);
  const called = serviceNameOf(host, clientNamespace);
  return Boolean(issued && called && issued.name === called.name && issued.namespace === called.namespace);
}

/**
 * The cert-manager Certificates a client's TLS errors are about, wherever they were read: those issued for a host the
 * client calls (its configuration and errors name it), else — the errors name no host it can be matched by — the one
 * whose expiry the errors quote to the second.
 */
export function certificatesPresentedTo(
  certificates: readonly Certificate[],
  hosts: readonly string[],
  clientNamespace: string,
  lines: readonly string[],
): Certificate[] {
  const byName = certificates.filter((certificate) =>
    (certificate.spec?.dnsNames ?? []).some((dnsName) =>
      hosts.some((host) => covers(dnsName, host, certificate.metadata?.namespace ?? '', clientNamespace)),
    ),
  );
  if (byName.length > 0) return byName;
  const quoted = new Set(lines.flatMap((line) => EXPIRED_AT.exec(line)?.[1] ?? []).map((at) => Date.parse(at)));
  return certificates.filter((certificate) => {
    const notAfter = Date.parse(certificate.status?.notAfter ?? '');
    return Number.isFinite(notAfter) && quoted.has(notAfter);
  });
}
