/**
 * A "hot" namespace: a scenario's incident in a shared team namespace that also runs N healthy 5-replica Deployments,
 * each with its Service and Endpoints, one Normal event per pod, one old resolved Warning per Deployment, and one
 * leftover Deployment whose environment names a Service that does not exist (a real cluster has such leftovers; it
 * is not on the symptom's path and must not be blamed). Names are spread over the alphabet so that the incident's
 * own objects sit between the healthy ones in the API's key order, not at the front of every list.
 */
import type { Scenario } from '../src/simulation/scenario.ts';

const REPLICAS = 5;
const PREFIXES = ['accounts', 'billing', 'catalog', 'delivery', 'edge', 'fraud', 'gateway', 'invoices', 'ledger'];
const MORE = ['notify', 'orders', 'payouts', 'quotes', 'reports', 'search', 'tax', 'users', 'vault', 'webhooks'];
const NAMES = [...PREFIXES, ...MORE];
export const LEFTOVER = 'legacy-exporter';

const hash = (seed: string, length: number): string => {
  let value = 2166136261;
  for (const char of seed) value = Math.imul(value ^ char.charCodeAt(0), 16777619) >>> 0;
  return value.toString(16).padStart(length, '0').slice(-length);
};

const daysBefore = (now: string, days: number) =>
  new Date(Date.parse(now) - days * 86_400_000).toISOString().replace(/\.\d{3}Z$/, 'Z');

type Json = Record<string, unknown>;

function healthyApp(namespace: string, name: string, index: number, now: string, env: Json[]): Json[] {
  const created = daysBefore(now, 30);
  const templateHash = hash(`${namespace}/${name}`, 10);
  const replicaSetName = `${name}-${templateHash}`;
  const deploymentUid = `hot-${index}-dep`;
  const labels = { app: name };
  const container = {
    name: 'server',
    image: `registry.example/${name.replace(/-\d+$/, '')}:2.3.1`,
    ports: [{ containerPort: 8080, protocol: 'TCP' }],
    env,
    resources: { requests: { cpu: '50m', memory: '64Mi' }, limits: { cpu: '200m', memory: '256Mi' } },
    readinessProbe: { httpGet: { path: '/healthz', port: 8080 }, periodSeconds: 10 },
  };
  const template = { metadata: { labels }, spec: { containers: [container] } };
  const objects: Json[] = [
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: {
        name,
        namespace,
        uid: deploymentUid,
        generation: 1,
        creationTimestamp: created,
        labels,
        annotations: { 'deployment.kubernetes.io/revision': '1' },
      },
      spec: { replicas: REPLICAS, selector: { matchLabels: labels }, template },
      status: {
        observedGeneration: 1,
        replicas: REPLICAS,
        updatedReplicas: REPLICAS,
        readyReplicas: REPLICAS,
        availableReplicas: REPLICAS,
        conditions: [
          { type: 'Available', status: 'True', reason: 'MinimumReplicasAvailable', lastTransitionTime: created },
          { type: 'Progressing', status: 'True', reason: 'NewReplicaSetAvailable', lastTransitionTime: created },
        ],
      },
    },
    {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: {
        name: replicaSetName,
        namespace,
        uid: `${deploymentUid}-rs`,
        creationTimestamp: created,
        labels: { ...labels, 'pod-template-hash': templateHash },
        annotations: { 'deployment.kubernetes.io/revision': '1' },
        ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name, uid: deploymentUid, controller: true }],
      },
      spec: {
        replicas: REPLICAS,
        selector: { matchLabels: { ...labels, 'pod-template-hash': templateHash } },
        template: { ...template, metadata: { labels: { ...labels, 'pod-template-hash': templateHash } } },
      },
      status: { replicas: REPLICAS, readyReplicas: REPLICAS, availableReplicas: REPLICAS },
    },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name, namespace, uid: `hot-${index}-svc`, creationTimestamp: created, labels },
      spec: {
        type: 'ClusterIP',
        clusterIP: `10.${100 + (index >> 16)}.${(index >> 8) & 255}.${index & 255}`,
        selector: labels,
        ports: [{ name: 'http', port: 8080, targetPort: 8080, protocol: 'TCP' }],
      },
    },
  ];
  const addresses: Json[] = [];
  const resolvedAt = daysBefore(now, 3 + (index % 20));
  for (let replica = 0; replica < REPLICAS; replica++) {
    const pod = `${replicaSetName}-${hash(`${name}/${replica}`, 5)}`;
    const ip = `10.${200 + (index >> 16)}.${(index >> 8) & 255}.${(index & 255) ^ replica}`;
    const node = `node-${(index + replica) % 40}`;
    addresses.push({
      ip,
      nodeName: node,
      targetRef: { kind: 'Pod', namespace, name: pod, uid: `hot-${index}-${replica}` },
    });
    objects.push(
      {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: {
          name: pod,
          namespace,
          uid: `hot-${index}-${replica}`,
          creationTimestamp: created,
          generateName: `${replicaSetName}-`,
          labels: { ...labels, 'pod-template-hash': templateHash },
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
        spec: { ...template.spec, nodeName: node },
        status: {
          phase: 'Running',
          podIP: ip,
          startTime: created,
          conditions: ['Initialized', 'Ready', 'ContainersReady', 'PodScheduled'].map((type) => ({
            type,
            status: 'True',
            lastTransitionTime: created,
          })),
          containerStatuses: [
            {
              name: 'server',
              image: container.image,
              imageID: '',
              ready: true,
              started: true,
              restartCount: 0,
              state: { running: { startedAt: created } },
            },
          ],
        },
      },
      {
        apiVersion: 'v1',
        kind: 'Event',
        metadata: { name: `${pod}.${hash(pod, 16)}`, namespace, uid: `hot-${index}-${replica}-ev` },
        involvedObject: { kind: 'Pod', namespace, name: pod, apiVersion: 'v1', fieldPath: 'spec.containers{server}' },
        reason: 'Pulled',
        message: `Container image "${container.image}" already present on machine`,
        source: { component: 'kubelet', host: node },
        firstTimestamp: daysBefore(now, 1),
        lastTimestamp: daysBefore(now, 1),
        count: 1,
        type: 'Normal',
      },
    );
  }
  objects.push(
    {
      apiVersion: 'v1',
      kind: 'Endpoints',
      metadata: { name, namespace, uid: `hot-${index}-ep`, labels },
      subsets: [{ addresses, ports: [{ name: 'http', port: 8080, protocol: 'TCP' }] }],
    },
    {
      // An old readiness blip, long over: history, not a symptom.
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: `${name}.${hash(`${name}/warn`, 16)}`, namespace, uid: `hot-${index}-warn` },
      involvedObject: { kind: 'Pod', namespace, name: `${replicaSetName}-${hash(`${name}/0`, 5)}`, apiVersion: 'v1' },
      reason: 'Unhealthy',
      message: 'Readiness probe failed: HTTP probe failed with statuscode: 503',
      source: { component: 'kubelet' },
      firstTimestamp: resolvedAt,
      lastTimestamp: resolvedAt,
      count: 3,
      type: 'Warning',
    },
  );
  return objects;
}

/** The scenario with `deployments` healthy Deployments (5 pods each) and one leftover added to the alert's namespace. */
export function hotNamespace(base: Scenario, deployments: number): Scenario {
  const namespace = base.alert.labels.namespace;
  if (!namespace) throw new Error(`${base.id}: the hot-namespace bench needs an alert with a namespace label`);
  const added: Json[] = [];
  for (let index = 0; index < deployments; index++) {
    const name = `${NAMES[index % NAMES.length]}-${String(Math.floor(index / NAMES.length)).padStart(4, '0')}`;
    added.push(...healthyApp(namespace, name, index, base.now, [{ name: 'PORT', value: '8080' }]));
  }
  // Its exporter's target was deleted months ago; it still runs and nobody notices.
  added.push(
    ...healthyApp(namespace, LEFTOVER, deployments, base.now, [
      { name: 'TARGET_ADDR', value: 'reporting-v1:9090' },
      { name: 'REPORTING_URL', value: `http://reporting-v1.${namespace}.svc.cluster.local:9090/metrics` },
    ]),
  );
  const nodes = Array.from({ length: 40 }, (_, node) => ({
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: `node-${node}`, uid: `hot-node-${node}`, labels: { 'kubernetes.io/hostname': `node-${node}` } },
    status: {
      conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady' }],
      allocatable: { cpu: '32', memory: '128Gi', pods: '500' },
      capacity: { cpu: '32', memory: '128Gi', pods: '500' },
    },
  }));
  return {
    ...base,
    id: `${base.id}-hot-${deployments}`,
    cluster: { ...base.cluster, objects: [...base.cluster.objects, ...(nodes as never[]), ...(added as never[])] },
  };
}
