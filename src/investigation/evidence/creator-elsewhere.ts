import type { ClusterSnapshot } from './snapshot.ts';

type Meta = {
  namespace?: string;
  ownerReferences?: unknown[];
  managedFields?: { manager?: string; subresource?: string }[];
};

/** The client that created an object: the manager of its first field entry that is not a subresource's (status). */
function creatorOf(metadata: Meta | undefined): string | undefined {
  return (metadata?.managedFields ?? []).find((entry) => !entry.subresource)?.manager;
}

/** The clients that wrote what runs in namespace `from` (its Jobs, and pods no controller owns), by field manager. */
export function creatorsOf(examined: Pick<ClusterSnapshot, 'jobs' | 'pods'>, from: string): Set<string> {
  const written = [
    ...examined.jobs.filter((job) => job.metadata?.namespace === from && !job.metadata?.ownerReferences?.length),
    ...examined.pods.filter((pod) => pod.metadata?.namespace === from && !pod.metadata?.ownerReferences?.length),
  ];
  return new Set(written.flatMap((object) => creatorOf(object.metadata as Meta) ?? []));
}

type Workload = ClusterSnapshot['deployments'][number] | ClusterSnapshot['statefulSets'][number];

/**
 * Nothing in the namespace examined fails, and what runs there (Jobs, pods no controller owns) was written by a client
 * the API server names in its field managers: an in-cluster program that creates work (a dispatcher, an operator
 * without a CRD), whose Deployment or StatefulSet of that name runs in another namespace. Work there that stopped, or
 * went wrong, starts where that client runs: its namespace is the next look. Only one such namespace says which.
 */
export function creatorElsewhere(
  creators: ReadonlySet<string>,
  workloads: readonly Workload[],
  from: string,
): { namespace: string; creator: string } | undefined {
  if (creators.size === 0) return undefined;
  const found = workloads.filter(
    (workload) => workload.metadata?.namespace !== from && creators.has(workload.metadata?.name ?? ''),
  );
  const namespaces = [...new Set(found.map((workload) => workload.metadata?.namespace ?? ''))];
  const [only] = found;
  return namespaces.length === 1 && only?.metadata?.namespace && only.metadata.name
    ? { namespace: only.metadata.namespace, creator: only.metadata.name }
    : undefined;
}
