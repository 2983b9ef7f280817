import {
  AppsV1Api,
  CoreV1Api,
  CustomObjectsApi,
  EventsV1Api,
  KubernetesObjectApi,
  NetworkingV1Api,
  StorageV1Api,
} from '@kubernetes/client-node';
import {
  type KubeApiServer,
  type KubeApiServerOptions,
  startKubeApiServer,
} from '../../src/simulation/kube-api/server.ts';
import { simulationKubeConfig } from '../../src/simulation/kubeconfig.ts';

/** A small hand-made cluster for the simulated API server's tests: two namespaces, pods, logs, a custom resource. */
export const NOW = new Date('2026-03-01T12:00:00Z');

const ownedByWeb = [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-6d4f', uid: 'rs-web', controller: true }];

const pod = (namespace: string, name: string, labels: Record<string, string>, extra: Record<string, unknown> = {}) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: {
    name,
    namespace,
    uid: `uid-${name}`,
    resourceVersion: '500',
    labels,
    ...(namespace === 'alpha' && labels.app === 'web' ? { ownerReferences: ownedByWeb } : {}),
  },
  spec: { nodeName: 'node-1', containers: [{ name: 'app', image: 'registry.example/app:1' }] },
  status: { phase: 'Running' },
  ...extra,
});

export const OBJECTS = [
  { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'alpha', uid: 'ns-alpha' } },
  { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'beta', uid: 'ns-beta' } },
  { apiVersion: 'v1', kind: 'Node', metadata: { name: 'node-1', labels: { zone: 'a' } }, spec: {} },
  { apiVersion: 'v1', kind: 'Node', metadata: { name: 'node-2', labels: { zone: 'b' } }, spec: {} },
  pod('alpha', 'web-1', { app: 'web', tier: 'front', track: 'stable' }),
  pod('alpha', 'web-2', { app: 'web', tier: 'front', track: 'canary' }),
  pod('alpha', 'db-0', { app: 'db', tier: 'back' }, { status: { phase: 'Pending' } }),
  pod(
    'alpha',
    'worker-1',
    { app: 'worker' },
    {
      spec: {
        nodeName: 'node-2',
        initContainers: [{ name: 'setup', image: 'registry.example/setup:1' }],
        containers: [
          { name: 'main', image: 'registry.example/worker:1' },
          { name: 'sidecar', image: 'registry.example/proxy:1' },
        ],
      },
      status: {
        phase: 'Running',
        containerStatuses: [
          { name: 'main', restartCount: 3, lastState: { terminated: { exitCode: 137, reason: 'OOMKilled' } } },
          { name: 'sidecar', restartCount: 0 },
        ],
      },
    },
  ),
  pod(
    'alpha',
    'starting-1',
    { app: 'starting' },
    {
      status: {
        phase: 'Pending',
        containerStatuses: [{ name: 'app', restartCount: 0, state: { waiting: { reason: 'ImagePullBackOff' } } }],
      },
    },
  ),
  pod(
    'beta',
    'crasher-1',
    { app: 'crasher' },
    {
      status: {
        phase: 'Running',
        containerStatuses: [
          {
            name: 'app',
            restartCount: 6,
            state: { waiting: { reason: 'CrashLoopBackOff' } },
            lastState: { terminated: { exitCode: 1, reason: 'Error' } },
          },
        ],
      },
    },
  ),
  pod(
    'beta',
    'web-1',
    { app: 'web', tier: 'front' },
    { spec: { nodeName: 'node-2', containers: [{ name: 'app', image: 'x' }] } },
  ),
  {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name: 'db-0.1', namespace: 'alpha' },
    involvedObject: { kind: 'Pod', namespace: 'alpha', name: 'db-0', uid: 'uid-db-0' },
    reason: 'FailedScheduling',
    message: '0/2 nodes are available',
    type: 'Warning',
    source: { component: 'default-scheduler' },
    lastTimestamp: '2026-03-01T11:59:00Z',
  },
  {
    apiVersion: 'events.k8s.io/v1',
    kind: 'Event',
    metadata: { name: 'web-1.2', namespace: 'alpha' },
    regarding: { kind: 'Pod', namespace: 'alpha', name: 'web-1', uid: 'uid-web-1' },
    reason: 'Pulled',
    note: 'Container image already present',
    type: 'Normal',
    reportingController: 'kubelet',
    eventTime: '2026-03-01T11:00:00.000000Z',
  },
  {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'settings', namespace: 'alpha', resourceVersion: '700' },
    data: { mode: 'safe', level: '3' },
  },
  {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'alpha', uid: 'dep-web', generation: 4, resourceVersion: '800' },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: 'web' } },
      template: {
        metadata: { labels: { app: 'web', tier: 'front' } },
        spec: {
          containers: [
            {
              name: 'app',
              image: 'registry.example/app:1',
              env: [
                { name: 'MODE', value: 'safe' },
                { name: 'LEVEL', value: '3' },
              ],
              ports: [{ containerPort: 8080, name: 'http' }],
              resources: { requests: { memory: '64Mi' }, limits: { memory: '128Mi' } },
            },
            { name: 'proxy', image: 'registry.example/proxy:1' },
          ],
        },
      },
    },
    status: { replicas: 2, readyReplicas: 2 },
  },
  {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: {
      name: 'web-6d4f',
      namespace: 'alpha',
      uid: 'rs-web',
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', uid: 'dep-web', controller: true }],
    },
    spec: { replicas: 2, selector: { matchLabels: { app: 'web' } } },
  },
  {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'legacy', namespace: 'beta', generation: 1 },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: 'legacy' } },
      template: {
        metadata: { labels: { app: 'legacy' } },
        spec: {
          containers: [
            { name: 'app', image: 'legacy:1', resources: { requests: { memory: '1Gi' }, limits: { memory: '64Mi' } } },
          ],
        },
      },
    },
  },
  {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: { name: 'db-budget', namespace: 'alpha' },
    spec: { minAvailable: 1, selector: { matchLabels: { app: 'db' } } },
    status: { disruptionsAllowed: 0 },
  },
  {
    apiVersion: 'storage.k8s.io/v1',
    kind: 'StorageClass',
    metadata: { name: 'fast' },
    provisioner: 'ebs.csi.aws.com',
  },
  {
    apiVersion: 'chaos-mesh.org/v1alpha1',
    kind: 'PodChaos',
    metadata: { name: 'kill-web', namespace: 'alpha' },
    spec: { action: 'pod-kill' },
  },
  {
    apiVersion: 'example.io/v1',
    kind: 'Cactus',
    metadata: { name: 'prickly', annotations: { 'scenario/plural': 'cacti' } },
    spec: { spines: 12 },
  },
];

export const LOGS = [
  {
    namespace: 'alpha',
    pod: 'web-1',
    container: 'app',
    lines: [
      '2026-03-01T11:50:00Z starting',
      '2026-03-01T11:58:00Z listening on :8080',
      '  continuation without a timestamp',
      '2026-03-01T11:59:30Z GET / 200',
    ],
  },
  { namespace: 'alpha', pod: 'worker-1', container: 'main', lines: ['2026-03-01T11:59:00Z working'] },
  {
    namespace: 'alpha',
    pod: 'worker-1',
    container: 'main',
    previous: true,
    lines: ['2026-03-01T11:40:00Z out of memory'],
  },
  { namespace: 'alpha', pod: 'worker-1', container: 'setup', lines: ['init done'] },
  { namespace: 'beta', pod: 'crasher-1', container: 'app', previous: true, lines: ['fatal: cannot parse config'] },
];

export interface TestCluster {
  server: KubeApiServer;
  core: CoreV1Api;
  apps: AppsV1Api;
  networking: NetworkingV1Api;
  events: EventsV1Api;
  storage: StorageV1Api;
  custom: CustomObjectsApi;
  objects: KubernetesObjectApi;
}

export async function startTestCluster(
  options: Pick<KubeApiServerOptions, 'onWrite' | 'authorize'> = {},
): Promise<TestCluster> {
  const server = await startKubeApiServer({ objects: structuredClone(OBJECTS), logs: LOGS, now: NOW, ...options });
  const kubeConfig = simulationKubeConfig(server.url);
  return {
    server,
    core: kubeConfig.makeApiClient(CoreV1Api),
    apps: kubeConfig.makeApiClient(AppsV1Api),
    networking: kubeConfig.makeApiClient(NetworkingV1Api),
    events: kubeConfig.makeApiClient(EventsV1Api),
    storage: kubeConfig.makeApiClient(StorageV1Api),
    custom: kubeConfig.makeApiClient(CustomObjectsApi),
    objects: KubernetesObjectApi.makeApiClient(kubeConfig),
  };
}

/** The ApiException of a call that must fail, or an assertion failure when it succeeds. */
export async function rejection(call: Promise<unknown>): Promise<{ code: number; body: Record<string, unknown> }> {
  try {
    await call;
  } catch (error) {
    const { code, body } = error as { code: number; body: unknown };
    return { code, body: typeof body === 'string' ? JSON.parse(body) : (body as Record<string, unknown>) };
  }
  throw new Error('expected the call to be refused');
}
