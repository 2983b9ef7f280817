import { configChangedAt } from './config-change.ts';
import { podReferences } from './references.ts';
import type { ClusterSnapshot } from './snapshot.ts';
import { toMs } from './time.ts';
import { SUSPECT_CHANGE_WINDOW } from './onset.ts';

type Workload = ClusterSnapshot['deployments'][number] | ClusterSnapshot['statefulSets'][number];

/** A ConfigMap that workloads read, changed shortly before the onset, and where it is. */
export interface ChangedConfig {
  namespace: string;
  configMap: string;
  changedAt: string;
  /** The workloads whose pod template reads it. */
  readers: string[];
  /** Other namespaces where configuration a workload reads changed within the window before the onset, latest first. */
  alsoIn: string[];
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
  const changed = configMaps.flatMap((configMap): (Omit<ChangedConfig, 'alsoIn'> & { at: number })[] => {
    const namespace = configMap.metadata?.namespace ?? '';
    const name = configMap.metadata?.name ?? '';
    const reading = readers.get(`${namespace}/${name}`);
    const changedAt = configChangedAt(configMap);
    const at = toMs(changedAt);
    if (!reading || !changedAt || at === undefined || at > onset || onset - at > SUSPECT_CHANGE_WINDOW) return [];
    return [{ namespace, configMap: name, changedAt, readers: reading, at }];
  });
  const [latest, ...earlier] = changed.sort((a, b) => b.at - a.at);
  if (!latest) return undefined;
  const { at: _at, ...found } = latest;
  const alsoIn = [...new Set(earlier.map((c) => c.namespace))].filter((namespace) => namespace !== found.namespace);
  return { ...found, alsoIn };
}

/**
 * The assumption a choice by configuration change rests on, no firmer than it is: other namespaces whose read
 * configuration changed in the window make it one candidate of several, and a cluster-wide list cut short leaves a
 * later change possibly unread (`complete`: the ConfigMaps were read to the end).
 */
export function describeChangedConfig(changed: ChangedConfig, complete: boolean): string {
  const { namespace, configMap, readers, changedAt, alsoIn } = changed;
  const read = `${readers.join(', ')} read${readers.length > 1 ? '' : 's'}`;
  const among = complete ? '' : " among the ConfigMaps read (the cluster's list was cut short)";
  const others =
    alsoIn.length > 0
      ? `; read configuration changed before it in ${alsoIn.join(', ')} too, so this choice may be wrong`
      : '';
  return `namespace ${namespace}: the alert names nothing in the cluster and no namespace shows trouble; ConfigMap ${configMap}, which ${read}, changed there at ${changedAt}, the last change of configuration before the onset${among}${others}`;
}
