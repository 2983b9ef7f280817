import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { AlertSchema, type Alert } from '../../../src/alert/alert.ts';
import { ingressRoutes } from '../../../src/investigation/evidence/ingress-routes.ts';
import { type ClusterSnapshot, emptySnapshot } from '../../../src/investigation/evidence/snapshot.ts';
import { alertText, chooseNamespace, namespaceLabel, resolveSymptom } from '../../../src/investigation/focus.ts';
import type { Focus } from '../../../src/investigation/focus.ts';
import { EntityRefSchema, type EntityRef } from '../../../src/investigation/model.ts';
import { errorLines, LAST_WORDS } from '../../../src/investigation/tools/error-lines.ts';
import { clusterHostsIn } from '../../../src/investigation/evidence/peer-namespaces.ts';
import { KIND_KEYS } from '../../../src/investigation/tools/kinds.ts';

// Only what the pure core needs from a scenario file; the simulation owns the full schema.
const ScenarioSchema = z.object({
  id: z.string(),
  now: z.string(),
  alert: z.object({ source: z.enum(['pagerduty', 'alertmanager', 'slack']) }).passthrough(),
  cluster: z.object({
    objects: z.array(
      z
        .object({
          kind: z.string(),
          metadata: z.object({ name: z.string(), namespace: z.string().optional() }).passthrough(),
        })
        .passthrough(),
    ),
    logs: z
      .array(
        z.object({
          namespace: z.string(),
          pod: z.string(),
          container: z.string(),
          previous: z.boolean().optional(),
          lines: z.array(z.string()),
        }),
      )
      .optional(),
  }),
  metrics: z
    .array(z.object({ metric: z.record(z.string(), z.string()), values: z.array(z.tuple([z.number(), z.string()])) }))
    .optional(),
  groundTruth: z.object({ rootCause: z.array(EntityRefSchema), faultType: z.string() }),
});

export interface DevCase {
  id: string;
  alert: Alert;
  snapshot: ClusterSnapshot;
  focus: Focus;
  expected: EntityRef[];
  faultType: string;
}

const LISTS: Record<string, keyof ClusterSnapshot> = KIND_KEYS;

/**
 * A scenario file as the collector would hand it to the core: the focus namespace's objects plus nodes, Secrets as key
 * names only, logs cut to the error-looking lines the pod-logs tool keeps. A development tool, not the collector.
 */
export function devCase(file: string): DevCase {
  const scenario = ScenarioSchema.parse(JSON.parse(readFileSync(file, 'utf8')));
  const alert = AlertSchema.parse(scenario.alert);
  const objects = scenario.cluster.objects;
  const namespaces = objects.filter((o) => o.kind === 'Namespace').map((o) => o.metadata.name);
  // Like the locator, a host the alert mentions leads through the Ingress that routes it.
  const routes = ingressRoutes(
    alertText(alert),
    objects.filter((o) => o.kind === 'Ingress') as unknown as ClusterSnapshot['ingresses'],
  );
  const choice = namespaceLabel(alert) ? undefined : chooseNamespace(alertText(alert), { namespaces, routes });
  const chosen = namespaceLabel(alert) ?? (choice?.namespace as string);
  // Like the collector, follow the focus namespace's configuration (`svc.ns…` names) into other namespaces.
  // And the namespaces its error lines name, whose dependency logs the collector reads too.
  const peers = new Set<string>();
  // The in-cluster hosts a Secret's values name (a connection URL), kept as the tools keep them: never the value.
  const secretHosts = (object: { data?: Record<string, string>; stringData?: Record<string, string> }) =>
    Object.fromEntries(
      [
        ...Object.entries(object.data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]),
        ...Object.entries(object.stringData ?? {}),
      ]
        .map(([k, v]) => [k, clusterHostsIn(v as string)] as const)
        .filter(([, hosts]) => hosts.length > 0),
    );
  const said = (scenario.cluster.logs ?? [])
    .filter((log) => log.namespace === chosen)
    .map((log) => errorLines(log.lines.join('\n')).lines.join('\n'));
  const named = objects
    .filter((o) => o.kind === 'Secret' && o.metadata.namespace === chosen)
    .flatMap((o) => Object.values(secretHosts(o as never)).flat());
  for (const text of [...objects.filter((o) => o.metadata.namespace === chosen), ...said, ...named].flatMap(
    (source) =>
      (typeof source === 'string' ? source : JSON.stringify((source as { spec?: unknown }).spec ?? {})).match(
        /[a-z0-9-]+\.[a-z0-9-]+\.svc\b/g,
      ) ?? [],
  )) {
    const namespace = text.split('.')[1] as string;
    if (namespace !== chosen && namespaces.includes(namespace)) peers.add(namespace);
  }
  const snapshot = emptySnapshot(scenario.now);
  for (const object of objects) {
    const list = LISTS[object.kind];
    if (!list) continue;
    const namespace = object.metadata.namespace;
    const involved = (object as { involvedObject?: { kind?: string } }).involvedObject;
    // The cluster DNS (k8s-app=kube-dns) is read from any namespace, as the collector does when names fail to resolve.
    const clusterDns = (object.metadata as { labels?: Record<string, string> }).labels?.['k8s-app'] === 'kube-dns';
    const followed = namespace !== undefined && peers.has(namespace) && object.kind !== 'Event';
    if (
      namespace &&
      namespace !== chosen &&
      !clusterDns &&
      !followed &&
      !(object.kind === 'Event' && involved?.kind === 'Node')
    )
      continue;
    if (object.kind === 'Secret') {
      const { data, stringData, ...rest } = object as {
        data?: Record<string, string>;
        stringData?: Record<string, string>;
      };
      const hosts = secretHosts({ ...(data ? { data } : {}), ...(stringData ? { stringData } : {}) });
      (snapshot.secrets as unknown[]).push({
        ...rest,
        keys: Object.keys({ ...data, ...stringData }),
        ...(Object.keys(hosts).length > 0 ? { hosts } : {}),
      });
      continue;
    }
    (snapshot[list] as unknown[]).push(object);
  }
  snapshot.logs = (scenario.cluster.logs ?? [])
    .filter((log) => log.namespace === chosen || peers.has(log.namespace))
    .map((log) => ({
      ...log,
      previous: log.previous ?? false,
      lines: errorLines(log.lines.join('\n'), undefined, undefined, log.previous ? LAST_WORDS : 0).lines,
    }));
  snapshot.metrics = (scenario.metrics ?? [])
    .filter((m) => !m.metric.namespace || m.metric.namespace === chosen)
    .map((m) => ({
      labels: m.metric,
      query: m.metric.__name__ ?? '',
      values: m.values.map(([t, v]) => [t, Number(v)] as [number, number]),
    }));
  const { symptom, assumptions } = resolveSymptom(alert, chosen, snapshot, choice?.entryService);
  const focus: Focus = { namespace: chosen, symptom, alertText: alertText(alert), assumptions };
  if (alert.startsAt) focus.startedAt = alert.startsAt;
  return {
    id: scenario.id,
    alert,
    snapshot,
    focus,
    expected: scenario.groundTruth.rootCause,
    faultType: scenario.groundTruth.faultType,
  };
}
