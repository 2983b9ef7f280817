import type { EntityRef } from '../model.ts';
import type { Reference } from './graph.ts';
import type { ClusterSnapshot } from './snapshot.ts';
import type { Workload } from './workloads.ts';

type ConfigObject = ClusterSnapshot['configMaps'][number] | ClusterSnapshot['secrets'][number];

// Shorter names are common words ("config", "app") that a line may carry for other reasons.
const MIN_NAME_LENGTH = 6;

/** Whether the text carries the name as a whole word (not inside a longer name: `web` in `web-settings`). */
const carriesName = (text: string, name: string): boolean => {
  let from = 0;
  for (let at = text.indexOf(name); at >= 0; at = text.indexOf(name, from)) {
    const before = text[at - 1] ?? ' ';
    const after = text[at + name.length] ?? ' ';
    if (!/[a-z0-9-]/i.test(before) && !/[a-z0-9-]/i.test(after)) return true;
    from = at + 1;
  }
  return false;
};

/** Comma- or space-separated names an annotation value lists. */
const listed = (value: string | undefined): string[] => (value ?? '').split(/[\s,]+/).filter(Boolean);

/**
 * ConfigMaps and Secrets a workload reads through the Kubernetes API rather than through its pod template: no volume or
 * env names them, yet the program loads them itself (Spring Cloud Kubernetes, a watch, a reloader) and a change reaches
 * it without a new revision. Three signs tie one to the workload: its own annotations name the workload among the
 * applications that read it (`spring.cloud.kubernetes.configmap.apps`-style lists); the workload's template annotations
 * name it among the objects to reload on (Reloader's `configmap.reloader.stakater.com/reload`); or the workload's own
 * log lines name it as a whole word.
 */
export function configReadThroughApi(
  snapshot: ClusterSnapshot,
  workload: Workload | undefined,
  ref: EntityRef,
  ownLines: string[],
  templateReferences: Reference[],
): Reference[] {
  const alreadyReferenced = new Set(templateReferences.map((r) => `${r.target.kind}/${r.target.name}`));
  const annotations = {
    ...(workload?.metadata?.annotations ?? {}),
    ...(workload?.template?.metadata?.annotations ?? {}),
  };
  const reloadsOn = (kind: 'ConfigMap' | 'Secret') =>
    Object.entries(annotations)
      .filter(([key]) => key.toLowerCase().includes(kind.toLowerCase()) && /reload/i.test(key))
      .flatMap(([, value]) => listed(value));
  const candidates: { kind: 'ConfigMap' | 'Secret'; object: ConfigObject }[] = [
    ...snapshot.configMaps.map((object) => ({ kind: 'ConfigMap' as const, object })),
    ...snapshot.secrets.map((object) => ({ kind: 'Secret' as const, object })),
  ];
  return candidates
    .filter(({ kind, object }) => {
      const name = object.metadata?.name ?? '';
      if (object.metadata?.namespace !== ref.namespace || alreadyReferenced.has(`${kind}/${name}`)) return false;
      const claimsWorkload = Object.values(object.metadata?.annotations ?? {}).some((value) =>
        listed(value).includes(ref.name),
      );
      const named = name.length >= MIN_NAME_LENGTH && name !== ref.name && ownLines.some((l) => carriesName(l, name));
      return claimsWorkload || reloadsOn(kind).includes(name) || named;
    })
    .map(({ kind, object }) => ({
      target: { kind, namespace: ref.namespace ?? '', name: object.metadata?.name ?? '' },
      via: 'api' as const,
      optional: false,
    }));
}
