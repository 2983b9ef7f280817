import type { EntityRef, Evidence, RemediationProposal } from '../model.ts';
import type { ClusterSnapshot } from './snapshot.ts';
import { lastChange } from './time.ts';

export type ConfigMap = ClusterSnapshot['configMaps'][number];

export function configObject(
  snapshot: ClusterSnapshot,
  ref: EntityRef,
): ConfigMap | ClusterSnapshot['secrets'][number] | undefined {
  const list = ref.kind === 'ConfigMap' ? snapshot.configMaps : ref.kind === 'Secret' ? snapshot.secrets : [];
  return list.find((o) => o.metadata?.namespace === ref.namespace && o.metadata?.name === ref.name);
}

export function changeEvidence(ref: EntityRef, at: string, what = 'changed'): Evidence {
  return { source: 'change', ref, text: `${ref.kind} ${ref.name} ${what} at ${at}`, at };
}

/** Keys whose value differs from what `kubectl apply` last wrote (kubectl.kubernetes.io/last-applied-configuration). */
export function changedKeys(configMap: ConfigMap): { key: string; previous: string; current: string | undefined }[] {
  const applied = configMap.metadata?.annotations?.['kubectl.kubernetes.io/last-applied-configuration'];
  if (!applied) return [];
  let previousData: Record<string, unknown>;
  try {
    previousData = (JSON.parse(applied) as { data?: Record<string, unknown> }).data ?? {};
  } catch {
    return [];
  }
  return Object.entries(previousData)
    .filter(([key, value]) => typeof value === 'string' && configMap.data?.[key] !== value)
    .map(([key, value]) => ({ key, previous: value as string, current: configMap.data?.[key] }));
}

/** Restores the key the evidence implicates when it changed, else the first changed key. */
export function restoreProposal(configMap: ConfigMap, implicated?: string): RemediationProposal | undefined {
  const changes = changedKeys(configMap);
  const change = changes.find((c) => c.key === implicated) ?? changes[0];
  if (!change) return undefined;
  return {
    summary: `Restore key ${change.key} of ConfigMap ${configMap.metadata?.name} to its last applied value`,
    action: {
      type: 'restore-config-key',
      kind: 'ConfigMap',
      namespace: configMap.metadata?.namespace ?? '',
      name: configMap.metadata?.name ?? '',
      key: change.key,
      value: change.previous,
    },
  };
}

export const configChangedAt = (object: { metadata?: ConfigMap['metadata'] } | undefined): string | undefined =>
  lastChange(object?.metadata);
