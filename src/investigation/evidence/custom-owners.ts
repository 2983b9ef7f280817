import type { EntityRef } from '../model.ts';
import { refKey } from '../model.ts';
import { isPodReady } from './pod-state.ts';
import type { ClusterSnapshot } from './snapshot.ts';

type OwnerReference = { apiVersion: string; kind: string; name: string; controller?: boolean };

export interface CustomKind {
  group: string;
  version: string;
  plural: string;
  kind: string;
}

/** The API group of an apiVersion (`agones.dev/v1` → `agones.dev`; `v1` → the core group, ``). */
const groupOf = (apiVersion: string): string => (apiVersion.includes('/') ? (apiVersion.split('/')[0] as string) : '');

/**
 * A controller served by an API group outside Kubernetes' own (`apps/v1`, `v1` and `*.k8s.io` are built in): a custom
 * resource an operator reconciles from.
 */
export const isCustomOwner = (owner: OwnerReference): boolean => {
  const group = groupOf(owner.apiVersion);
  return group.includes('.') && !group.endsWith('.k8s.io');
};

const controllerOf = (metadata: { ownerReferences?: OwnerReference[] } | undefined): OwnerReference | undefined =>
  metadata?.ownerReferences?.find((o) => o.controller);

/** Where a kind is read: the plural and version discovery found, else the group's convention (lower-case kind + s). */
function customKind(snapshot: ClusterSnapshot, owner: OwnerReference): CustomKind {
  const group = groupOf(owner.apiVersion);
  const version = owner.apiVersion.split('/')[1] ?? '';
  const served = snapshot.apiGroups
    .filter((g) => g.group === group)
    .flatMap((g) => g.resources ?? [])
    .find((r) => r.kind === owner.kind);
  return served
    ? { group, version: served.version, plural: served.plural, kind: owner.kind }
    : { group, version, plural: `${owner.kind.toLowerCase()}s`, kind: owner.kind };
}

/**
 * The custom resources up the chain that owns the namespace's pods that do not run (Pending, not ready) — a Fleet
 * owns GameServerSets, which own GameServers, which own the pods — whose kind is not read yet: the next link of each
 * chain whose objects were read so far. An operator creates what it reconciles from the top resource's spec, so what
 * the pods ask for is set there; the links are read one kind at a time, as far as they go.
 */
export function unreadCustomOwners(snapshot: ClusterSnapshot, namespace: string, tried: Set<string>): CustomKind[] {
  const stuck = snapshot.pods.filter(
    (pod) => pod.metadata?.namespace === namespace && pod.status?.phase !== 'Succeeded' && !isPodReady(pod),
  );
  const byRef = new Map(
    snapshot.customObjects
      .filter((o) => o.metadata?.namespace === namespace)
      .map((o) => [refKey({ kind: o.kind, namespace, name: o.metadata?.name ?? '' }), o]),
  );
  const kinds = new Map<string, CustomKind>();
  const seen = new Set<string>();
  const follow = (owner: OwnerReference | undefined): void => {
    if (!owner || !isCustomOwner(owner)) return;
    const ref: EntityRef = { kind: owner.kind, namespace, name: owner.name };
    if (seen.has(refKey(ref))) return;
    seen.add(refKey(ref));
    const object = byRef.get(refKey(ref));
    if (object) {
      follow(controllerOf(object.metadata as { ownerReferences?: OwnerReference[] }));
      return;
    }
    const kind = customKind(snapshot, owner);
    if (!tried.has(`${kind.group}/${kind.kind}`)) kinds.set(`${kind.group}/${kind.kind}`, kind);
  };
  for (const pod of stuck) follow(controllerOf(pod.metadata as { ownerReferences?: OwnerReference[] }));
  return [...kinds.values()];
}
