import { type ClusterSnapshot, emptySnapshot } from '../../../src/investigation/evidence/snapshot.ts';
import type { Focus } from '../../../src/investigation/focus.ts';

/**
 * Small builders for plain API objects, so detector tests read as a cluster description. Every object gets the
 * fields the API server always sets (names, namespaces, owner references, timestamps); the rest is what each test says.
 */
export const NOW = '2026-11-20T10:30:00Z';
export const NS = 'shop';
export const OLD = '2026-11-01T09:00:00Z';

type Snapshot = ClusterSnapshot;
type Container = NonNullable<Snapshot['pods'][number]['spec']>['containers'][number];
type PodStatus = NonNullable<Snapshot['pods'][number]['status']>;
type ContainerStatus = NonNullable<PodStatus['containerStatuses']>[number];

export function cluster(build: (s: Snapshot) => void): Snapshot {
  const snapshot = emptySnapshot(NOW);
  snapshot.namespaces.push({ metadata: { name: NS } });
  build(snapshot);
  return snapshot;
}

export interface AppOptions {
  image?: string;
  port?: number;
  env?: Container['env'];
  replicas?: number;
  ready?: boolean;
  containerStatus?: Partial<ContainerStatus>;
  container?: Partial<Container>;
  volumes?: NonNullable<Snapshot['pods'][number]['spec']>['volumes'];
  labels?: Record<string, string>;
  node?: string;
  changedAt?: string;
  revision?: number;
  podPhase?: string;
  service?: boolean;
  initStatus?: Partial<ContainerStatus>;
  initContainer?: Partial<Container>;
}

/** A Deployment with its ReplicaSet, one pod, and (by default) a ClusterIP Service of the same name. */
export function app(s: Snapshot, name: string, o: AppOptions = {}): void {
  const labels = o.labels ?? { app: name };
  const port = o.port ?? 8080;
  const revision = o.revision ?? 1;
  const hash = `${name.length}${revision}abc`.padEnd(8, 'x').slice(0, 8);
  const container: Container = {
    name: 'main',
    image: o.image ?? `registry.example/${name}:1.0`,
    ports: [{ containerPort: port }],
    env: o.env,
    resources: { requests: { cpu: '100m', memory: '64Mi' }, limits: { cpu: '200m', memory: '128Mi' } },
    ...o.container,
  };
  const spec = {
    containers: [container],
    volumes: o.volumes,
    ...(o.initContainer ? { initContainers: [{ name: 'init', image: 'busybox', ...o.initContainer }] } : {}),
  };
  const changedAt = o.changedAt ?? OLD;
  const ready = o.ready ?? true;
  const replicas = o.replicas ?? 1;
  s.deployments.push({
    metadata: {
      name,
      namespace: NS,
      // Its ReplicaSets name it by this uid (their controller ownerReference), as the API server does.
      uid: `uid-${name}`,
      creationTimestamp: OLD,
      annotations: { 'deployment.kubernetes.io/revision': String(revision) },
      managedFields: [{ manager: 'kubectl-client-side-apply', operation: 'Update', time: changedAt }],
    },
    spec: { replicas, selector: { matchLabels: labels }, template: { metadata: { labels }, spec } },
    status: { replicas, readyReplicas: ready ? replicas : 0 },
  });
  const rsName = `${name}-${hash}`;
  s.replicaSets.push({
    metadata: {
      name: rsName,
      namespace: NS,
      creationTimestamp: changedAt,
      annotations: { 'deployment.kubernetes.io/revision': String(revision) },
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name, uid: `uid-${name}`, controller: true }],
    },
    spec: { replicas, selector: { matchLabels: labels }, template: { metadata: { labels }, spec } },
    status: { replicas, readyReplicas: ready ? replicas : 0 },
  });
  if (replicas > 0) {
    s.pods.push({
      metadata: {
        name: `${rsName}-p0d${revision}`,
        namespace: NS,
        labels: { ...labels, 'pod-template-hash': hash },
        ownerReferences: [
          { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: rsName, uid: `uid-${rsName}`, controller: true },
        ],
        creationTimestamp: changedAt,
      },
      spec: { ...spec, nodeName: o.podPhase === 'Pending' ? undefined : (o.node ?? 'node-a') },
      status: {
        phase: o.podPhase ?? 'Running',
        conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }],
        containerStatuses: [
          {
            name: 'main',
            image: container.image ?? '',
            imageID: '',
            ready,
            restartCount: 0,
            state: { running: { startedAt: changedAt } },
            ...o.containerStatus,
          },
        ],
        ...(o.initStatus
          ? {
              initContainerStatuses: [
                { name: 'init', image: 'busybox', imageID: '', ready: false, restartCount: 0, ...o.initStatus },
              ],
            }
          : {}),
      },
    });
  }
  if (o.service !== false) service(s, name, { selector: labels, port });
}

export function service(
  s: Snapshot,
  name: string,
  o: { selector: Record<string, string>; port: number; targetPort?: number | string; changedAt?: string },
): void {
  s.services.push({
    metadata: {
      name,
      namespace: NS,
      creationTimestamp: OLD,
      managedFields: [{ manager: 'kubectl-client-side-apply', operation: 'Update', time: o.changedAt ?? OLD }],
    },
    spec: {
      selector: o.selector,
      clusterIP: `10.96.0.${s.services.length + 10}`,
      ports: [{ name: 'main', port: o.port, targetPort: (o.targetPort ?? o.port) as never }],
    },
  });
}

export function node(
  s: Snapshot,
  name: string,
  o: {
    ready?: 'True' | 'False' | 'Unknown';
    pressure?: string;
    taints?: NonNullable<Snapshot['nodes'][number]['spec']>['taints'];
    unschedulable?: boolean;
    since?: string;
  } = {},
): void {
  const since = o.since ?? OLD;
  s.nodes.push({
    metadata: { name },
    spec: { taints: o.taints, unschedulable: o.unschedulable },
    status: {
      allocatable: { cpu: '4', memory: '16Gi', pods: '110' },
      conditions: [
        { type: 'Ready', status: o.ready ?? 'True', lastTransitionTime: since },
        ...['MemoryPressure', 'DiskPressure', 'PIDPressure'].map((type) => ({
          type,
          status: o.pressure === type ? 'True' : 'False',
          lastTransitionTime: since,
        })),
      ],
    },
  });
}

export function event(
  s: Snapshot,
  involved: { kind: string; name: string; namespace?: string },
  reason: string,
  message: string,
  at = '2026-11-20T10:25:00Z',
  type = 'Warning',
): void {
  s.events.push({
    metadata: { name: `${involved.name}.${s.events.length}`, namespace: involved.namespace ?? NS },
    involvedObject: {
      kind: involved.kind,
      name: involved.name,
      namespace: involved.kind === 'Node' ? undefined : (involved.namespace ?? NS),
    },
    reason,
    message,
    type,
    count: 5,
    firstTimestamp: at,
    lastTimestamp: at,
  });
}

export function configMap(
  s: Snapshot,
  name: string,
  data: Record<string, string>,
  changedAt = OLD,
  annotations?: Record<string, string>,
): void {
  s.configMaps.push({
    metadata: {
      name,
      namespace: NS,
      creationTimestamp: OLD,
      annotations,
      managedFields: [{ manager: 'kubectl-edit', operation: 'Update', time: changedAt }],
    },
    data,
  });
}

export function logs(s: Snapshot, podPrefix: string, lines: string[], previous = false, container = 'main'): void {
  const pod = s.pods.find((p) => p.metadata?.name?.startsWith(`${podPrefix}-`));
  if (!pod) throw new Error(`no pod ${podPrefix}`);
  s.logs.push({ namespace: NS, pod: pod.metadata?.name ?? '', container, previous, lines });
}

export const podOf = (s: Snapshot, prefix: string) => {
  const pod = s.pods.find((p) => p.metadata?.name?.startsWith(`${prefix}-`));
  if (!pod) throw new Error(`no pod ${prefix}`);
  return pod;
};

export const deploymentRef = (name: string) => ({ kind: 'Deployment', namespace: NS, name });

/** The focus of an alert on Service `name` of NS that began at 10:20, ten minutes before NOW. */
export const focusOn = (name: string): Focus => ({
  namespace: NS,
  symptom: { kind: 'Service', namespace: NS, name },
  startedAt: '2026-11-20T10:20:00Z',
  alertText: 'HighErrorRate',
  assumptions: [],
});
