import { type EntityRef, sameRef } from '../model.ts';
import { isCustomOwner } from './custom-owners.ts';
import { controllerOf } from './owner-references.ts';
import type { ServedGroup } from './routing-objects.ts';
import type { ClusterSnapshot } from './snapshot.ts';
import { toMs } from './time.ts';

/**
 * Generations of a workload some controller generates anew for each revision of a higher object (a serverless
 * Service's Configuration → Revision → Deployment; an operator's versioned spec → one workload per version): each
 * revision is an object of a custom kind, controlled by the same higher object, that controls a workload of its own.
 * The workloads are then successive revisions of one thing, as a Deployment's ReplicaSets are: the newest serves, the
 * older ones are kept (often scaled to zero) to roll back to. Found only through ownerReferences, never by name.
 */

type Owned = { metadata?: ClusterSnapshot['deployments'][number]['metadata'] };
type Workload = ClusterSnapshot['deployments'][number] | ClusterSnapshot['statefulSets'][number];

/** The Deployments and StatefulSets of a namespace, with their kinds (list items carry none). */
const workloadsOf = (snapshot: ClusterSnapshot, namespace: string): { kind: string; workload: Workload }[] =>
  [
    ...snapshot.deployments.map((workload) => ({ kind: 'Deployment', workload })),
    ...snapshot.statefulSets.map((workload) => ({ kind: 'StatefulSet', workload })),
  ].filter(({ workload }) => workload.metadata?.namespace === namespace);

export interface GeneratingKind {
  group: string;
  version: string;
  plural: string;
  kind: string;
}

/**
 * The custom kinds to read in a namespace to tell generations apart: a kind that controls two or more of its
 * workloads through distinct objects (one per revision, or one per tenant: only the objects' own owners can say which),
 * as discovery serves it.
 */
export function generatingKinds(
  snapshot: ClusterSnapshot,
  groups: readonly ServedGroup[],
  namespace: string,
): GeneratingKind[] {
  const objectsByKind = new Map<string, Set<string>>();
  for (const { workload } of workloadsOf(snapshot, namespace)) {
    const owner = controllerOf(workload.metadata);
    if (!owner || !isCustomOwner(owner)) continue;
    const key = `${owner.apiVersion.split('/')[0]}/${owner.kind}`;
    objectsByKind.set(key, (objectsByKind.get(key) ?? new Set()).add(owner.uid ?? owner.name));
  }
  return [...objectsByKind]
    .filter(([, objects]) => objects.size >= 2)
    .flatMap(([key]) => {
      const [group, kind] = key.split('/') as [string, string];
      const resource = groups
        .find((served) => served.group === group)
        ?.resources?.find((r) => r.kind === kind && r.namespaced);
      return resource ? [{ group, version: resource.version, plural: resource.plural, kind }] : [];
    });
}

/** The object above a workload's controller (a Revision's Configuration), when the controller was read. */
function lineageOf(snapshot: ClusterSnapshot, workload: Workload): string | undefined {
  const owner = controllerOf(workload.metadata);
  if (!owner || !isCustomOwner(owner)) return undefined;
  const object = snapshot.customObjects.find(
    (o) =>
      o.kind === owner.kind &&
      o.metadata?.namespace === workload.metadata?.namespace &&
      (owner.uid ? o.metadata?.uid === owner.uid : o.metadata?.name === owner.name),
  );
  const above = controllerOf(object?.metadata);
  return above ? `${owner.kind}/${above.kind}/${above.uid ?? above.name}` : undefined;
}

const created = (object: Owned): number => toMs(object.metadata?.creationTimestamp) ?? 0;

/** The Deployment or StatefulSet a ref names, if read. */
function workloadNamed(snapshot: ClusterSnapshot, ref: EntityRef): Workload | undefined {
  const workloads =
    ref.kind === 'Deployment' ? snapshot.deployments : ref.kind === 'StatefulSet' ? snapshot.statefulSets : [];
  const namespace = ref.namespace ?? '';
  return workloads.find(
    (workload) => workload.metadata?.namespace === namespace && workload.metadata?.name === ref.name,
  );
}

/** The workloads of the same lineage as this one (itself included), newest first; just itself when it has none. */
export function generationsOf(snapshot: ClusterSnapshot, ref: EntityRef): EntityRef[] {
  const self = workloadNamed(snapshot, ref);
  if (!self) return [];
  const namespace = ref.namespace ?? '';
  const lineage = lineageOf(snapshot, self);
  // Most workloads have no lineage: the namespace's others are not looked at (this runs for each of its workloads).
  if (!lineage) return [{ kind: ref.kind, namespace, name: self.metadata?.name ?? '' }];
  return workloadsOf(snapshot, namespace)
    .filter(({ workload }) => lineageOf(snapshot, workload) === lineage)
    .sort((a, b) => created(b.workload) - created(a.workload))
    .map(({ kind, workload }) => ({ kind, namespace, name: workload.metadata?.name ?? '' }));
}

/** The generation this one replaced (the next older of its lineage), if any. */
export function previousGeneration(snapshot: ClusterSnapshot, ref: EntityRef): EntityRef | undefined {
  const lineage = generationsOf(snapshot, ref);
  const index = lineage.findIndex((w) => sameRef(w, ref));
  return index >= 0 ? lineage[index + 1] : undefined;
}

/** The newer generation of its lineage that replaced this one (kept to roll back to, it serves nothing by design). */
export function supersededBy(snapshot: ClusterSnapshot, ref: EntityRef): EntityRef | undefined {
  const lineage = generationsOf(snapshot, ref);
  const index = lineage.findIndex((w) => sameRef(w, ref));
  return index > 0 ? lineage[0] : undefined;
}
