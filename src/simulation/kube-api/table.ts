import { fieldAt, type KubeObject } from './object.ts';
import type { ResourceType } from './resources.ts';

/**
 * Server-side printing (meta.k8s.io/v1 Table), which `kubectl get` asks for: the columns kubectl shows for the
 * kinds an on-call engineer looks at first, Name and Age for the rest. Ages are counted from the scenario's clock.
 */

type Column = [name: string, cell: (object: KubeObject) => string | number];

interface ContainerStatus {
  ready?: boolean;
  restartCount?: number;
  state?: { waiting?: { reason?: string }; terminated?: { reason?: string } };
}

function age(object: KubeObject, now: Date): string {
  const created = Date.parse(object.metadata.creationTimestamp ?? '');
  if (Number.isNaN(created)) return '<unknown>';
  const seconds = Math.max(0, Math.floor((now.getTime() - created) / 1000));
  if (seconds < 120) return `${seconds}s`;
  if (seconds < 7200) return `${Math.floor(seconds / 60)}m`;
  if (seconds < 172800) return `${Math.floor(seconds / 3600)}h`;
  return `${Math.floor(seconds / 86400)}d`;
}

const number = (object: KubeObject, path: string) => (fieldAt(object, path) as number | undefined) ?? 0;

function podStatus(pod: KubeObject): string {
  if (pod.metadata.deletionTimestamp) return 'Terminating';
  const statuses = (fieldAt(pod, 'status.containerStatuses') as ContainerStatus[] | undefined) ?? [];
  const reason = statuses
    .map((status) => status.state?.waiting?.reason ?? status.state?.terminated?.reason)
    .find(Boolean);
  return (
    reason ?? (fieldAt(pod, 'status.reason') as string | undefined) ?? String(fieldAt(pod, 'status.phase') ?? 'Unknown')
  );
}

function nodeStatus(node: KubeObject): string {
  const conditions = (fieldAt(node, 'status.conditions') as { type?: string; status?: string }[] | undefined) ?? [];
  const ready = conditions.find((condition) => condition.type === 'Ready');
  const status = ready?.status === 'True' ? 'Ready' : ready ? 'NotReady' : 'Unknown';
  return fieldAt(node, 'spec.unschedulable') === true ? `${status},SchedulingDisabled` : status;
}

const COLUMNS: Record<string, Column[]> = {
  Pod: [
    [
      'Ready',
      (pod) => {
        const statuses = (fieldAt(pod, 'status.containerStatuses') as ContainerStatus[] | undefined) ?? [];
        const containers = (fieldAt(pod, 'spec.containers') as unknown[] | undefined) ?? [];
        return `${statuses.filter((status) => status.ready).length}/${containers.length}`;
      },
    ],
    ['Status', podStatus],
    [
      'Restarts',
      (pod) =>
        ((fieldAt(pod, 'status.containerStatuses') as ContainerStatus[] | undefined) ?? []).reduce(
          (sum, status) => sum + (status.restartCount ?? 0),
          0,
        ),
    ],
  ],
  Deployment: [
    ['Ready', (object) => `${number(object, 'status.readyReplicas')}/${number(object, 'spec.replicas')}`],
    ['Up-to-date', (object) => number(object, 'status.updatedReplicas')],
    ['Available', (object) => number(object, 'status.availableReplicas')],
  ],
  Node: [
    ['Status', nodeStatus],
    ['Version', (node) => String(fieldAt(node, 'status.nodeInfo.kubeletVersion') ?? '')],
  ],
  Service: [
    ['Type', (service) => String(fieldAt(service, 'spec.type') ?? 'ClusterIP')],
    ['Cluster-IP', (service) => String(fieldAt(service, 'spec.clusterIP') ?? '<none>')],
  ],
};

/** Whether the Accept header asks for a Table (kubectl get does; client-node does not). */
export const wantsTable = (accept: string | undefined): boolean => !!accept && /as=Table/.test(accept);

/**
 * What the Accept header asks of a list or an object in metadata.k8s.io terms: `list` for
 * `as=PartialObjectMetadataList`, `object` for `as=PartialObjectMetadata`, null for the object itself. The first media
 * type wins, as the API server negotiates (a client may offer plain JSON after it, for servers without the form).
 */
export function wantsMetadata(accept: string | undefined): 'list' | 'object' | null {
  const first = accept?.split(',')[0] ?? '';
  if (!/;\s*g=meta\.k8s\.io/.test(first)) return null;
  if (/;\s*as=PartialObjectMetadataList\b/.test(first)) return 'list';
  if (/;\s*as=PartialObjectMetadata\b/.test(first)) return 'object';
  return null;
}

export function table(resource: ResourceType, objects: readonly KubeObject[], resourceVersion: string, now: Date) {
  const columns: Column[] = [
    ['Name', (object) => object.metadata.name],
    ...(resource.group === '' || resource.group === 'apps' ? (COLUMNS[resource.kind] ?? []) : []),
    ['Age', (object) => age(object, now)],
  ];
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: { resourceVersion },
    columnDefinitions: columns.map(([name], index) => ({
      name,
      type: name === 'Restarts' || name === 'Up-to-date' || name === 'Available' ? 'integer' : 'string',
      format: index === 0 ? 'name' : '',
      description: '',
      priority: 0,
    })),
    rows: objects.map((object) => ({
      cells: columns.map(([, cell]) => cell(object)),
      object: { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: object.metadata },
    })),
  };
}
