import { configuredHosts } from './hosts.ts';
import type { Container } from './workloads.ts';

/** An env variable a new revision set, changed or dropped: its name, the value it now has ('' when dropped) and had. */
export interface EnvChange {
  name: string;
  value: string;
  before?: string;
}

/** The env values a revision's containers changed from the revision before (added, changed, or dropped). */
export function envChanges(previous: Container[], current: Container[]): EnvChange[] {
  const envOf = (containers: Container[]) =>
    new Map(containers.flatMap((c) => (c.env ?? []).map((e) => [`${c.name}/${e.name}`, e.value] as const)));
  const before = envOf(previous);
  const changes: EnvChange[] = [];
  const after = envOf(current);
  for (const [key, value] of after) {
    const old = before.get(key);
    if (value === undefined || value === old) continue;
    const change: EnvChange = { name: key.split('/')[1] ?? key, value };
    if (old !== undefined) change.before = old;
    changes.push(change);
  }
  // A variable the new revision dropped: the errors can only quote its name.
  for (const [key, old] of before) {
    if (old !== undefined && !after.has(key)) changes.push({ name: key.split('/')[1] ?? key, value: '', before: old });
  }
  return changes;
}

/**
/**
 * Whether a line quotes the change: the new value, the variable's name, or an address (host:port) the new value names
 * and the old one did not — a driver quotes the endpoint it dials (`tcp connect (127.0.0.1:6432)`), not the URL. A
 * short value ("0", "on", "5m") appears in too many lines to mean anything bare: it counts only as the line quotes it
 * ('5m', "on", =0).
 */
export const quotesEnvChange = (text: string, change: EnvChange): boolean =>
  text.includes(change.name) ||
  (change.value.length >= SHORT_VALUE && text.includes(change.value)) ||
  (change.value !== '' && quotedForms(change.value).some((form) => `${text} `.includes(form))) ||
  changedAddresses(change).some((address) => text.includes(address));

/** Values shorter than this are matched only in quotes. */
const SHORT_VALUE = 3;

const quotedForms = (value: string): string[] => [`'${value}'`, `"${value}"`, `\`${value}\``, `=${value} `];

/** The host:port addresses the new value names that the old one did not. */
function changedAddresses(change: EnvChange): string[] {
  const addresses = (value: string) =>
    configuredHosts(value)
      .filter((mention) => mention.port !== undefined)
      .map((mention) => `${mention.host}:${mention.port}`);
  const old = new Set(addresses(change.before ?? ''));
  return addresses(change.value).filter((address) => !old.has(address));
}

/**
 * A variable that only sets what the process reports about itself — its telemetry (`OTEL_*`, `DD_*`, `SENTRY_*`), its
 * logging (`LOG_LEVEL`) — and not what it does: a change of it alone cannot make the work fail.
 */
const REPORTING =
  /^(?:OTEL|DD|SENTRY|NEW_?RELIC|ELASTIC_APM|JAEGER|ZIPKIN|HONEYCOMB|STATSD|TRACING|METRICS|LOG|LOGGING)(?:_|$)|(?:^|_)LOG(?:_?(?:LEVEL|FORMAT))?$/i;

export const reportsOnly = (change: EnvChange): boolean => REPORTING.test(change.name);
