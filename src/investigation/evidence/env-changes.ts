import type { V1ObjectMeta } from '@kubernetes/client-node';
import { configuredHosts } from './hosts.ts';
import type { Plain } from './snapshot.ts';
import { CONTROLLER_MANAGERS, toMs } from './time.ts';
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

/** How far apart a workload's own write and the new revision's creation may be and still be one change. */
const SAME_CHANGE = 2 * 60_000;

/**
 * The env values a write to the workload's template shortly before `at` (the new revision's creation) set, as the API
 * server records them in the workload's managedFields (`f:spec.f:template.f:spec.f:containers.k:{"name":C}.f:env.
 * k:{"name":X}.f:value`), with the value the template now holds: what a rollout changed when the revision it replaced
 * no longer says (a ReplicaSet pruned, or kept with the new template's env). The value before is unknown. Status
 * writes and controllers' own writes are left out: only people and deploy tools change what a template means; so is a
 * write listing every variable of a container (it owns them all, whichever changed).
 */
export function envWrittenAt(
  metadata: Plain<V1ObjectMeta> | undefined,
  at: string | undefined,
  current: Container[],
): EnvChange[] {
  const when = toMs(at);
  if (when === undefined) return [];
  const written = new Map<string, EnvChange>();
  for (const entry of metadata?.managedFields ?? []) {
    const time = toMs(entry.time);
    if (time === undefined || Math.abs(time - when) > SAME_CHANGE || entry.subresource === 'status') continue;
    if (CONTROLLER_MANAGERS.test(entry.manager ?? '')) continue;
    const containers = field(field(field(field(entry.fieldsV1, 'f:spec'), 'f:template'), 'f:spec'), 'f:containers');
    for (const [containerKey, fields] of Object.entries(containers ?? {})) {
      const container = current.find((c) => containerKey === `k:${JSON.stringify({ name: c.name })}`);
      const listed = Object.keys(field(fields, 'f:env') ?? {});
      // A write that lists every variable of the container (a server-side apply of the whole manifest) says its
      // manager owns them all, not which one it changed: it tells nothing.
      const all = container?.env ?? [];
      if (all.length >= 2 && all.every((e) => listed.includes(`k:${JSON.stringify({ name: e.name })}`))) continue;
      for (const [envKey, envFields] of Object.entries(field(fields, 'f:env') ?? {})) {
        const name = keyName(envKey);
        const env = container?.env?.find((e) => e.name === name);
        // Only a value written in the spec: one read from a Secret or ConfigMap is another object's to change.
        if (!name || env?.value === undefined || field(envFields, 'f:value') === undefined) continue;
        written.set(`${container?.name}/${name}`, { name, value: env.value });
      }
    }
  }
  return [...written.values()];
}

const field = (fields: unknown, key: string): Record<string, unknown> | undefined => {
  const inner = (fields as Record<string, unknown> | undefined)?.[key];
  return inner && typeof inner === 'object' ? (inner as Record<string, unknown>) : undefined;
};

/** The name a managedFields list key names (`k:{"name":"X"}` → X). */
function keyName(key: string): string | undefined {
  if (!key.startsWith('k:')) return undefined;
  try {
    const parsed = JSON.parse(key.slice(2)) as { name?: unknown };
    return typeof parsed.name === 'string' ? parsed.name : undefined;
  } catch {
    return undefined;
  }
}
