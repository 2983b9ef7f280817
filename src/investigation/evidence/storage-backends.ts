import type { CustomObject } from './custom-object.ts';
import type { WantedList } from './custom-read-plan.ts';
import { eventsFor } from './events.ts';
import { isPodReady } from './pod-state.ts';
import type { ClusterSnapshot } from './snapshot.ts';
import { storageClassList } from './storage-classes.ts';
import { wordsOf } from './word-stem.ts';

/**
 * A pod that runs but stops answering (its probes time out, no container waits or crashes) may be stalled on its
 * volume: writes that block because the storage behind its claim refuses them. The claim names its StorageClass; the
 * class's parameters name, for a provisioner run by an operator, the operator's object the volumes live in (a pool,
 * `pool: <name>`), whose kind discovery serves in a group sharing a word with the provisioner's name. That object's
 * settings (a quota) and what its operator reports of it (a pool full at its quota) say whether the writes stall there.
 */

type Pod = ClusterSnapshot['pods'][number];
type Claim = ClusterSnapshot['persistentVolumeClaims'][number];

/** A probe that timed out: the container runs but does not answer in time. */
const TIMED_OUT = /deadline exceeded|timed? ?out|timeout/i;

/** Pods of the namespace that run but do not answer: not ready, every container running, a probe timing out. */
function stalledPods(snapshot: ClusterSnapshot, namespace: string): Pod[] {
  return snapshot.pods.filter((pod) => {
    if (pod.metadata?.namespace !== namespace || pod.status?.phase !== 'Running' || isPodReady(pod)) return false;
    const statuses = pod.status?.containerStatuses ?? [];
    if (statuses.length === 0 || statuses.some((s) => !s.state?.running)) return false;
    return eventsFor(snapshot, 'Pod', namespace, pod.metadata?.name ?? '').some(
      (event) => event.reason === 'Unhealthy' && TIMED_OUT.test(event.message ?? ''),
    );
  });
}

/** The Bound claims a pod mounts. */
function mountedClaims(snapshot: ClusterSnapshot, pod: Pod): Claim[] {
  const names = new Set((pod.spec?.volumes ?? []).flatMap((v) => v.persistentVolumeClaim?.claimName ?? []));
  return snapshot.persistentVolumeClaims.filter(
    (claim) =>
      claim.metadata?.namespace === pod.metadata?.namespace &&
      names.has(claim.metadata?.name ?? '') &&
      claim.status?.phase === 'Bound',
  );
}

const storageClassOf = (snapshot: ClusterSnapshot, claim: Claim): CustomObject | undefined =>
  snapshot.customObjects.find((o) => o.kind === 'StorageClass' && o.metadata?.name === claim.spec?.storageClassName);

/** Stalled pods mount Bound claims of a class and no StorageClass was read: the classes, cluster-wide. */
export function stalledClaimClassLists(snapshot: ClusterSnapshot, namespace: string): WantedList[] {
  if (snapshot.customObjects.some((o) => o.kind === 'StorageClass')) return [];
  const claim = stalledPods(snapshot, namespace)
    .flatMap((pod) => mountedClaims(snapshot, pod))
    .find((c) => c.spec?.storageClassName);
  if (!claim) return [];
  return [
    storageClassList(
      snapshot,
      `pods in ${namespace} run but stop answering, and mount claim ${claim.metadata?.name}: what stores its volume`,
      3,
    ),
  ];
}

/** The distinctive words of a name (`rook-ceph.rbd.csi.ceph.com` → rook, ceph). */
const distinctiveWords = (name: string): string[] => wordsOf(name).filter((w) => w.length >= 4);

/** A parameter of a class that names an object of a served custom kind: `pool` → a kind called `…Pool`. */
interface BackendKind {
  parameter: string;
  name: string;
  kind: { group: string; version: string; plural: string; kind: string; namespaced: boolean };
}

function backendKinds(snapshot: ClusterSnapshot, storageClass: CustomObject): BackendKind[] {
  const provisioner = (storageClass as { provisioner?: unknown }).provisioner;
  const parameters = (storageClass as { parameters?: Record<string, unknown> }).parameters ?? {};
  if (typeof provisioner !== 'string') return [];
  const words = new Set(distinctiveWords(provisioner));
  const found: BackendKind[] = [];
  for (const [parameter, value] of Object.entries(parameters)) {
    if (typeof value !== 'string' || parameter.includes('/') || parameter.length < 4) continue;
    for (const { group, resources = [] } of snapshot.apiGroups) {
      if (!distinctiveWords(group).some((w) => words.has(w))) continue;
      for (const r of resources)
        if (r.kind.toLowerCase().endsWith(parameter.toLowerCase()))
          found.push({ parameter, name: value, kind: { group, ...r } });
    }
  }
  return found;
}

/** The classes of the claims stalled pods mount. */
function stalledClasses(snapshot: ClusterSnapshot, namespace: string) {
  return stalledPods(snapshot, namespace).flatMap((pod) =>
    mountedClaims(snapshot, pod).flatMap((claim) => {
      const storageClass = storageClassOf(snapshot, claim);
      return storageClass ? [{ pod, claim, storageClass }] : [];
    }),
  );
}

/** The kinds the classes of stalled pods' claims name their backend objects by, not read yet: all namespaces. */
export function backendKindLists(snapshot: ClusterSnapshot, namespace: string): WantedList[] {
  const wanted = new Map<string, WantedList>();
  for (const { claim, storageClass } of stalledClasses(snapshot, namespace))
    for (const { kind, parameter, name } of backendKinds(snapshot, storageClass)) {
      if (snapshot.customObjects.some((o) => o.kind === kind.kind)) continue;
      const { namespaced: _, ...resource } = kind;
      wanted.set(`${kind.group}/${kind.kind}`, {
        resource,
        why: `StorageClass ${storageClass.metadata?.name} of claim ${claim.metadata?.name} stores volumes in ${kind.kind} ${name} (parameters.${parameter})`,
        relevance: 3,
      });
    }
  return [...wanted.values()].slice(0, 1);
}

/** The backend object a stalled pod's volume lives in, as read: the pod, its claim, the class, the object. */
export interface Backing {
  pod: Pod;
  claim: Claim;
  storageClass: CustomObject;
  parameter: string;
  backend: CustomObject;
}

/** The backend objects (read) of the claims stalled pods of the namespace mount. */
export function backingObjects(snapshot: ClusterSnapshot, namespace: string): Backing[] {
  return stalledClasses(snapshot, namespace).flatMap(({ pod, claim, storageClass }) =>
    backendKinds(snapshot, storageClass).flatMap(({ kind, parameter, name }) =>
      snapshot.customObjects
        .filter((o) => o.kind === kind.kind && o.metadata?.name === name)
        .map((backend) => ({ pod, claim, storageClass, parameter, backend })),
    ),
  );
}
