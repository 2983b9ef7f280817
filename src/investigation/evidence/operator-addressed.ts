import { customControllerOf } from './custom-owners.ts';
import type { CustomObject } from './custom-object.ts';
import { matchesMap } from './labels.ts';
import type { ClusterSnapshot } from './snapshot.ts';

type Service = ClusterSnapshot['services'][number];
type Pod = ClusterSnapshot['pods'][number];

/**
 * An operator labels every pod it makes for one of its resources alike (the resource's id), and each role apart (a
 * cluster, a server); it creates the Services that address a role by those labels, and it decides how many pods of
 * each role run. A Service that selects no pod while pods carrying part of its selector (the resource's id, not the
 * role) are controlled by an operator's resource addresses pods that operator no longer runs: its selector is as it
 * was, the pods it selects were taken away — by the resource's spec (a start policy, a replica count), not by the
 * Service. Found by labels and ownerReferences, never by an operator's name.
 */
export interface OperatorAddressed {
  service: Service;
  /** The pods that carry part of the Service's selector, controlled by an operator's resource. */
  siblings: Pod[];
  /** The controlling custom resource's reference, as the pods' owner chain names it. */
  owner: { apiVersion: string; kind: string; name: string };
}

/** Whether a Service selects pods by labels and none of the namespace's pods read carry them all. */
export function selectsNoPod(snapshot: ClusterSnapshot, service: Service, namespace: string): boolean {
  const selector = service.spec?.selector;
  if (!selector || Object.keys(selector).length === 0 || service.spec?.type === 'ExternalName') return false;
  return !snapshot.pods.some(
    (pod) => pod.metadata?.namespace === namespace && matchesMap(pod.metadata?.labels, selector),
  );
}

/**
 * A selector of one label cannot be carried in part (the resource's id without the role), so it never says which
 * operator's pods it addressed.
 */
const emptyMultiLabelSelector = (snapshot: ClusterSnapshot, service: Service, namespace: string): boolean =>
  Object.keys(service.spec?.selector ?? {}).length >= 2 && selectsNoPod(snapshot, service, namespace);

/** The pods of the namespace that carry some, not all, of the selector's labels. */
function carryingPart(snapshot: ClusterSnapshot, selector: Record<string, string>, namespace: string): Pod[] {
  return snapshot.pods.filter((pod) => {
    if (pod.metadata?.namespace !== namespace) return false;
    const labels = pod.metadata?.labels ?? {};
    return Object.entries(selector).some(([key, value]) => labels[key] === value);
  });
}

/** Services of the namespace that select no pod, beside pods an operator's resource makes that carry part of it. */
export function operatorAddressed(snapshot: ClusterSnapshot, namespace: string): OperatorAddressed[] {
  return snapshot.services.flatMap((service) => {
    if (service.metadata?.namespace !== namespace || !emptyMultiLabelSelector(snapshot, service, namespace)) return [];
    const siblings = carryingPart(snapshot, service.spec?.selector ?? {}, namespace);
    const owners = siblings.map((pod) => customControllerOf(snapshot, pod).owner);
    const owner = owners[0];
    // One resource makes them all: pods of several resources share a label by convention only.
    if (!owner || owners.some((o) => !o || o.kind !== owner.kind || o.name !== owner.name)) return [];
    return [{ service, siblings, owner }];
  });
}

/** The resource read, by the owner reference of the pods. */
export function ownerObject(
  snapshot: ClusterSnapshot,
  namespace: string,
  owner: OperatorAddressed['owner'],
): CustomObject | undefined {
  return snapshot.customObjects.find(
    (o) => o.kind === owner.kind && o.metadata?.name === owner.name && o.metadata?.namespace === namespace,
  );
}
