import { configChangedAt } from './config-change.ts';
import { configuredHosts, serviceNameOf } from './hosts.ts';
import { changedBeforeOnset, type Onset } from './onset.ts';
import { podReferences } from './references.ts';
import type { ClusterSnapshot } from './snapshot.ts';
import { lastChange, toMs } from './time.ts';
import type { PodSpec } from './workloads.ts';

type Deployment = ClusterSnapshot['deployments'][number];
type ConfigMap = ClusterSnapshot['configMaps'][number];

/**
 * A symptom that is data gone stale (output missing, nothing failing where it is read) is the work of whoever writes
 * the data, not of whoever reads it: the reader and its store run fine while nothing new arrives. Kubernetes records no
 * "writes to" edge, but every client of a store is configured with the store's Service (its cluster DNS name in an env
 * value, a command line): the workloads configured with a Service the quiet namespace's pods read from are that
 * store's other clients — its writers among them. One of them, in a namespace not read yet, whose template was changed
 * shortly before the symptom began, is where the work stopped (changed-env and the walk then judge what its change and
 * its errors say). Pure: the reads are collect.ts's.
 */

/** `namespace/name` of every Service a pod spec's configuration (env values, command, args) names. */
export function servicesConfiguredIn(spec: PodSpec | undefined, home: string): Set<string> {
  const keys = new Set<string>();
  for (const container of [...(spec?.initContainers ?? []), ...(spec?.containers ?? [])]) {
    const values = [
      ...(container.env ?? []).map((variable) => variable.value ?? ''),
      ...(container.command ?? []),
      ...(container.args ?? []),
    ];
    for (const value of values)
      for (const mention of configuredHosts(value)) {
        const service = serviceNameOf(mention.host, home);
        if (service) keys.add(`${service.namespace}/${service.name}`);
      }
  }
  return keys;
}

/**
 * The Services the pods of `namespace` are configured to read from that the snapshot holds (the stores on the path),
 * other than the namespace's own Services that its pods serve (a workload's own Service is not its store).
 */
export function storesReadFrom(snapshot: ClusterSnapshot, namespace: string): Set<string> {
  const held = new Set(snapshot.services.map((s) => `${s.metadata?.namespace}/${s.metadata?.name}`));
  const stores = new Set<string>();
  for (const pod of snapshot.pods) {
    if (pod.metadata?.namespace !== namespace) continue;
    for (const key of servicesConfiguredIn(pod.spec, namespace)) if (held.has(key)) stores.add(key);
  }
  return stores;
}

export interface StoreWriter {
  deployment: Deployment;
  /** The store it is configured with, `namespace/name`. */
  store: string;
  /** When its spec was last changed (managedFields, else its creation). */
  changed: string;
}

/**
 * Deployments of namespaces not read yet, configured with one of `stores`, whose spec was changed within the window
 * of suspect changes before `onset` (changedBeforeOnset, as every detector) — or a ConfigMap of `configMaps` their
 * template reads was: a writer that takes a switched flag or setting writes elsewhere, or other data, with its spec
 * untouched. The newest change first.
 */
export function recentStoreWriters(
  deployments: readonly Deployment[],
  stores: ReadonlySet<string>,
  onset: Onset,
  read: ReadonlySet<string>,
  configMaps: readonly ConfigMap[] = [],
): StoreWriter[] {
  const writers: StoreWriter[] = [];
  for (const { deployment, store } of storeClients(deployments, stores, read)) {
    const home = deployment.metadata?.namespace ?? '';
    const reads = podReferences([], [deployment.spec?.template?.spec]).configMaps;
    const changed = [
      lastChange(deployment.metadata),
      ...configMaps
        .filter((map) => map.metadata?.namespace === home && reads.has(map.metadata?.name ?? ''))
        .map((map) => configChangedAt(map)),
    ]
      .filter((at): at is string => at !== undefined && changedBeforeOnset(at, onset))
      .sort((a, b) => (toMs(b) ?? 0) - (toMs(a) ?? 0))[0];
    if (changed) writers.push({ deployment, store, changed });
  }
  return writers.sort((a, b) => (toMs(b.changed) ?? 0) - (toMs(a.changed) ?? 0));
}

/** Deployments of namespaces not read yet configured with one of `stores`, each with the store it names. */
export function storeClients(
  deployments: readonly Deployment[],
  stores: ReadonlySet<string>,
  read: ReadonlySet<string>,
): { deployment: Deployment; store: string }[] {
  return deployments.flatMap((deployment) => {
    const home = deployment.metadata?.namespace ?? '';
    if (read.has(home)) return [];
    const store = [...servicesConfiguredIn(deployment.spec?.template?.spec, home)].find((key) => stores.has(key));
    return store ? [{ deployment, store }] : [];
  });
}
