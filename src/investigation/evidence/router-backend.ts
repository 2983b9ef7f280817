import type { Alert } from '../../alert/alert.ts';
import { serviceLabelValues } from '../focus.ts';
import { serviceNameOf } from './hosts.ts';

/**
 * Values of the alert's service labels that are a router's name for a backend rather than a Service name: they carry
 * `@`, `/`, `_` or `|`, which no Service name does (Traefik `<namespace>-<route>-<service>-<port>@<provider>`,
 * `<namespace>/<service>`, Envoy `<namespace>_<service>_<port>`, `outbound|80||<service>.<namespace>.svc…`).
 */
export function routerBackendIds(alert: Alert): string[] {
  return serviceLabelValues(alert).filter((value) => /[@/_|]/.test(value) && !value.includes('://'));
}

export interface EncodedBackend {
  namespace: string;
  /** What the id says after the namespace, port dropped: `<route>-<service>` or `<service>`. */
  rest: string;
}

/**
 * The namespace a router's backend id begins with (the longest of the cluster's namespaces that prefixes it, so that
 * `shop-web-…` is `shop-web` rather than `shop`), or the one its cluster DNS name gives; undefined when none does.
 */
export function decodeBackend(id: string, namespaces: string[]): EncodedBackend | undefined {
  const bare = id.replace(/@[^@]*$/, '').toLowerCase();
  const parts = bare.split(/[/_|]/).filter(Boolean);
  for (const part of parts) {
    const named = part.includes('.svc') ? serviceNameOf(part, '') : undefined;
    if (named?.namespace && namespaces.includes(named.namespace))
      return { namespace: named.namespace, rest: named.name };
  }
  if (parts.length > 1 && parts[0] && namespaces.includes(parts[0])) {
    return { namespace: parts[0], rest: withoutPort(parts.slice(1).join('-')) };
  }
  const prefix = namespaces
    .filter((namespace) => bare.startsWith(`${namespace}-`))
    .sort((a, b) => b.length - a.length)[0];
  return prefix ? { namespace: prefix, rest: withoutPort(bare.slice(prefix.length + 1)) } : undefined;
}

const withoutPort = (rest: string): string => rest.replace(/[-:]\d{1,5}$/, '');

/** The Service the rest of a backend id ends with (`portal-web` in `site-portal-web`), the longest when several do. */
export function backendService(rest: string, services: string[]): string | undefined {
  return services
    .filter((service) => rest === service || rest.endsWith(`-${service}`))
    .sort((a, b) => b.length - a.length)[0];
}
