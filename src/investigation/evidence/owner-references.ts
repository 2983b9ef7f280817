/**
 * An object's controller: the one ownerReference marked `controller: true` (Kubernetes allows at most one). Other
 * owners only keep the object alive; the controller is what made it and keeps it as it is.
 */
export const controllerOf = <Owner extends { controller?: boolean }>(
  metadata: { ownerReferences?: readonly Owner[] } | undefined,
): Owner | undefined => metadata?.ownerReferences?.find((owner) => owner.controller);
