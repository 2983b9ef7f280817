/**
 * A scenario-shaped cluster of many namespaces (5 Deployments × `replicas` pods each; by default 200 namespaces and
 * 5,000 pods), with one fault: in one namespace the `store` Deployment is OOMKilled in a loop, and the alert is about
 * `web`, which calls it.
 */
const APPS = ['web', 'api', 'worker', 'store', 'cache'];
const NOW = '2026-06-01T12:00:00Z';
export const FAULTY_NAMESPACE = 'team-117';

const hash = (seed: string, length: number): string => {
  let value = 2166136261;
  for (const char of seed) value = Math.imul(value ^ char.charCodeAt(0), 16777619) >>> 0;
  return value.toString(36).padStart(length, '0').slice(-length);
};

const ready = (status: 'True' | 'False') => [
  { type: 'Initialized', status: 'True' },
  { type: 'Ready', status },
  { type: 'ContainersReady', status },
  { type: 'PodScheduled', status: 'True' },
];

function namespaceObjects(namespace: string, index: number, replicas: number, nodes: number): unknown[] {
  const objects: unknown[] = [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace, uid: `ns-${index}` } },
  ];
  for (const app of APPS) {
    const faulty = namespace === FAULTY_NAMESPACE && app === 'store';
    const deploymentUid = `${namespace}-${app}-dep`;
    const templateHash = hash(`${namespace}/${app}`, 10);
    const replicaSetName = `${app}-${templateHash}`;
    const container = {
      name: app,
      image: `registry.example/${app}:1.4.2`,
      ports: [{ containerPort: 8080 }],
      env: APPS.filter((peer) => peer !== app).map((peer) => ({
        name: `${peer.toUpperCase()}_ADDR`,
        value: `${peer}:8080`,
      })),
      resources: {
        requests: { cpu: '50m', memory: '64Mi' },
        limits: { cpu: '200m', memory: faulty ? '32Mi' : '256Mi' },
      },
    };
    const template = { metadata: { labels: { app } }, spec: { containers: [container] } };
    objects.push(
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: {
          name: app,
          namespace,
          uid: deploymentUid,
          generation: 1,
          creationTimestamp: '2026-05-01T10:00:00Z',
          annotations: { 'deployment.kubernetes.io/revision': '1' },
        },
        spec: { replicas: replicas, selector: { matchLabels: { app } }, template },
        status: { replicas: replicas, readyReplicas: faulty ? 0 : replicas, availableReplicas: faulty ? 0 : replicas },
      },
      {
        apiVersion: 'apps/v1',
        kind: 'ReplicaSet',
        metadata: {
          name: replicaSetName,
          namespace,
          uid: `${deploymentUid}-rs`,
          creationTimestamp: '2026-05-01T10:00:00Z',
          labels: { app, 'pod-template-hash': templateHash },
          annotations: { 'deployment.kubernetes.io/revision': '1' },
          ownerReferences: [
            { apiVersion: 'apps/v1', kind: 'Deployment', name: app, uid: deploymentUid, controller: true },
          ],
        },
        spec: { replicas: replicas, selector: { matchLabels: { app, 'pod-template-hash': templateHash } }, template },
        status: { replicas: replicas, readyReplicas: faulty ? 0 : replicas },
      },
      {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: app, namespace, uid: `${namespace}-${app}-svc` },
        spec: { selector: { app }, ports: [{ port: 8080, targetPort: 8080 }] },
      },
    );
    const addresses: { ip: string; targetRef: unknown }[] = [];
    for (let replica = 0; replica < replicas; replica++) {
      const name = `${replicaSetName}-${hash(`${namespace}/${app}/${replica}`, 5)}`;
      const ip = `10.${100 + Math.floor(index / 250)}.${index % 250}.${APPS.indexOf(app) * 20 + replica + 10}`;
      addresses.push({ ip, targetRef: { kind: 'Pod', name, namespace } });
      objects.push({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: {
          name,
          namespace,
          uid: `${namespace}-${name}`,
          creationTimestamp: '2026-05-01T10:00:00Z',
          labels: { app, 'pod-template-hash': templateHash },
          ownerReferences: [
            {
              apiVersion: 'apps/v1',
              kind: 'ReplicaSet',
              name: replicaSetName,
              uid: `${deploymentUid}-rs`,
              controller: true,
            },
          ],
        },
        spec: { ...template.spec, nodeName: `node-${(index * APPS.length + replica) % nodes}` },
        status: {
          phase: 'Running',
          podIP: ip,
          conditions: ready(faulty ? 'False' : 'True'),
          containerStatuses: [
            faulty
              ? {
                  name: app,
                  ready: false,
                  restartCount: 9,
                  image: container.image,
                  imageID: '',
                  state: {
                    waiting: { reason: 'CrashLoopBackOff', message: 'back-off 5m0s restarting failed container' },
                  },
                  lastState: { terminated: { exitCode: 137, reason: 'OOMKilled', finishedAt: '2026-06-01T11:58:00Z' } },
                }
              : {
                  name: app,
                  ready: true,
                  restartCount: 0,
                  image: container.image,
                  imageID: '',
                  state: { running: { startedAt: '2026-05-01T10:00:10Z' } },
                },
          ],
        },
      });
    }
    objects.push({
      apiVersion: 'v1',
      kind: 'Endpoints',
      metadata: { name: app, namespace, uid: `${namespace}-${app}-ep` },
      subsets: [
        faulty ? { notReadyAddresses: addresses, ports: [{ port: 8080 }] } : { addresses, ports: [{ port: 8080 }] },
      ],
    });
  }
  return objects;
}

export function largeScenario(namespaces = 200, replicas = 5) {
  // About a hundred pods a node, as clusters run them.
  const nodes = Math.max(50, Math.ceil((namespaces * APPS.length * replicas) / 100));
  const objects: unknown[] = [];
  for (let node = 0; node < nodes; node++) {
    objects.push({
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name: `node-${node}`, uid: `node-${node}` },
      status: {
        conditions: [{ type: 'Ready', status: 'True' }],
        allocatable: { cpu: '16', memory: '64Gi', pods: '110' },
        capacity: { cpu: '16', memory: '64Gi', pods: '110' },
      },
    });
  }
  for (let index = 0; index < namespaces; index++) {
    objects.push(...namespaceObjects(`team-${index}`, index, replicas, nodes));
  }
  objects.push({
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name: 'store-backoff', namespace: FAULTY_NAMESPACE, uid: 'ev-store' },
    involvedObject: { kind: 'Pod', namespace: FAULTY_NAMESPACE, name: 'store' },
    reason: 'BackOff',
    type: 'Warning',
    message: 'Back-off restarting failed container store',
    count: 40,
    lastTimestamp: '2026-06-01T11:59:00Z',
  });
  const webPods = (
    objects as { kind: string; metadata: { name: string; namespace: string; labels?: { app?: string } } }[]
  )
    .filter(
      (object) =>
        object.kind === 'Pod' &&
        object.metadata.namespace === FAULTY_NAMESPACE &&
        object.metadata.labels?.app === 'web',
    )
    .map((pod) => pod.metadata.name);
  const logs = webPods.map((pod) => ({
    namespace: FAULTY_NAMESPACE,
    pod,
    container: 'web',
    lines: Array.from({ length: 200 }, (_, line) =>
      line % 4 === 0
        ? `2026-06-01T11:${String(10 + (line % 50)).padStart(2, '0')}:00Z error: dial tcp store:8080: connect: connection refused`
        : `2026-06-01T11:${String(10 + (line % 50)).padStart(2, '0')}:00Z info request served`,
    ),
  }));
  return {
    apiVersion: 'scenario/v1',
    id: 'bench-large-cluster',
    title: 'A dependency OOMKilled behind the alerted service, in a cluster of 5,000 pods',
    now: NOW,
    alert: {
      source: 'pagerduty',
      title: 'HighRequestErrorRate web',
      labels: { alertname: 'HighRequestErrorRate', namespace: FAULTY_NAMESPACE, service_name: 'web' },
      startsAt: '2026-06-01T11:50:00Z',
    },
    cluster: { objects, logs },
    groundTruth: {
      rootCause: [{ kind: 'Deployment', namespace: FAULTY_NAMESPACE, name: 'store' }],
      faultType: 'oom-limit',
    },
  };
}
