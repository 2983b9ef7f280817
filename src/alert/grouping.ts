import type { Alert } from './alert.ts';

/**
 * Which alerts belong to one storm: alerts of one cluster that name the same namespace, or — without a namespace —
 * share their Alertmanager group labels. An alert that opens an incident stamps it with this key; another alert
 * with the same key, arriving while that incident is open and within the grouping window, joins its thread.
 * A person's /diagnose or @mention never joins (they asked for their own thread), nor does an alert with neither
 * a namespace nor group labels (nothing says it is related).
 */
export function groupingKey(alert: Alert, cluster: string | null): string | null {
  if (alert.source === 'slack') return null;
  const where = cluster ?? '';
  const namespace = alert.labels.namespace;
  if (namespace) return `${where}/namespace=${namespace}`;
  const group = Object.entries(alert.groupLabels ?? {}).sort(([a], [b]) => a.localeCompare(b));
  if (group.length === 0) return null;
  return `${where}/group:${group.map(([name, value]) => `${name}=${JSON.stringify(value)}`).join(',')}`;
}
