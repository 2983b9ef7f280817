import { configChangedAt } from './config-change.ts';
import { podReferences } from './references.ts';
import type { ClusterSnapshot } from './snapshot.ts';
import { SUSPECT_CHANGE_WINDOW, toMs } from './time.ts';

type Workload = ClusterSnapshot['deployments'][number] | ClusterSnapshot['statefulSets'][number];

/** A ConfigMap that workloads read, changed shortly before the onset, and where it is. */
export interface ChangedConfig {
  namespace: string;
  configMap: string;
  changedAt: string;
  /** The workloads whose pod template reads it. */
  readers: string[];
}

/**
 * The ConfigMap changed last before the onset, within the suspect window, among those a workload's pod template reads
 * (a volume, a projected volume, envFrom, env valueFrom). When an alert names nothing in the cluster and no namespace
 * shows trouble, a change is the likeliest cause of a new symptom, and configuration only acts through the pods that
 * read it: a ConfigMap no template reads (a status record a controller rewrites every minute) says nothing of where.
 * Changes after the onset cannot have caused it.
 */
export function changedConfigBeforeOnset(
  configMaps: ClusterSnapshot['configMaps'],
  workloads: Workload[],
  onset: number,
): ChangedConfig | undefined {
  const readers = new Map<string, string[]>();
  for (const workload of workloads) {
    const namespace = workload.metadata?.namespace ?? '';
    for (const name of podReferences([], [workload.spec?.template?.spec]).configMaps) {
      const key = `${namespace}/${name}`;
      readers.set(key, [...(readers.get(key) ?? []), workload.metadata?.name ?? '']);
    }
  }
  const changed = configMaps.flatMap((configMap): (ChangedConfig & { at: number })[] => {
    const namespace = configMap.metadata?.namespace ?? '';
    const name = configMap.metadata?.name ?? '';
    const reading = readers.get(`${namespace}/${name}`);
    const changedAt = configChangedAt(configMap);
    const at = toMs(changedAt);
    if (!reading || !changedAt || at === undefined || at > onset || onset - at > SUSPECT_CHANGE_WINDOW) return [];
    return [{ namespace, configMap: name, changedAt, readers: reading, at }];
  });
  const [latest] = changed.sort((a, b) => b.at - a.at);
  if (!latest) return undefined;
  const { at: _at, ...found } = latest;
  return found;
}
