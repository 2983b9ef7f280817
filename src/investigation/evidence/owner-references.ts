/**
 * An object's controller: the one ownerReference marked `controller: true` (Kubernetes allows at most one). Other
 * owners only keep the object alive; the controller is what made it and keeps it as it is.
 */
export const controllerOf = <Owner extends { controller?: boolean }>(
  metadata: { ownerReferences?: readonly Owner[] } | undefined,
): Owner | undefined => metadata?.ownerReferences?.find((owner) => owner.controller);

type Owned = {
  metadata?: { namespace?: string; ownerReferences?: readonly { uid?: string; name: string; controller?: boolean }[] };
};
type Controller = { metadata?: { uid?: string; name?: string; namespace?: string } };

/** The object's controller among those read (same namespace; by uid, else by name), if read. */
export function controllerAmong<C extends Controller>(object: Owned, controllers: readonly C[]): C | undefined {
  const owner = controllerOf(object.metadata);
  if (!owner) return undefined;
  return controllers.find(
    (c) =>
      c.metadata?.namespace === object.metadata?.namespace &&
      ((owner.uid && c.metadata?.uid === owner.uid) || c.metadata?.name === owner.name),
  );
}
