/**
 * A small cluster for the tool and collection tests: one Deployment with three revisions (and a look-alike
 * ReplicaSet it does not own), a restarting pod with a long log that also calls a service in another namespace (whose
 * pod waits on its claim), a Secret whose value must never come back, a NetworkPolicy, and a namespace nothing points
 * at, never to be listed.
 */
export const NOW = '2026-02-10T08:00:00Z';
export const NS = 'tools-ns';
export const SECRET_VALUE = 's3cr3t-Value-never-shown';

const b64 = (value: string) => Buffer.from(value).toString('base64');
const DEPLOYMENT_UID = 'dep-api-uid';

function replicaSet(name: string, revision: string, createdAt: string, owner: string | null, image: string) {
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: {
      name,
      namespace: NS,
      uid: `uid-${name}`,
      creationTimestamp: createdAt,
      labels: { app: 'api', 'pod-template-hash': name.split('-').at(-1) },
      annotations: { 'deployment.kubernetes.io/revision': revision },
      ...(owner
        ? {
            ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'api', uid: owner, controller: true }],
          }
        : {}),
    },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: 'api' } },
      template: { metadata: { labels: { app: 'api' } }, spec: { containers: [{ name: 'app', image }] } },
    },
    status: { replicas: 1, readyReplicas: 0 },
  };
}

const logLines = [
  ...Array.from(
    { length: 120 },
    (_, index) => `2026-02-10T07:${String(index % 60).padStart(2, '0')}:00Z info request ok ${index}`,
  ),
  ...Array.from(
    { length: 60 },
    (_, index) =>
      `2026-02-10T07:59:${String(index).padStart(2, '0')}Z error: dial tcp store:5432: connection refused (${index})`,
  ),
  '2026-02-10T07:59:59Z INFO shutting down cleanly',
];

export const TOOL_SCENARIO = {
  apiVersion: 'scenario/v1',
  id: 'tools-small',
  title: 'API pods restart: their store refuses connections',
  now: NOW,
  alert: {
    source: 'alertmanager',
    title: 'KubePodCrashLooping',
    labels: { alertname: 'KubePodCrashLooping', namespace: NS, deployment: 'api' },
    startsAt: '2026-02-10T07:50:00Z',
  },
  cluster: {
    objects: [
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS, uid: 'ns-1' } },
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'elsewhere', uid: 'ns-2' } },
      {
        apiVersion: 'v1',
        kind: 'Node',
        metadata: { name: 'node-a', uid: 'node-a' },
        status: { conditions: [{ type: 'Ready', status: 'True' }] },
      },
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: {
          name: 'api',
          namespace: NS,
          uid: DEPLOYMENT_UID,
          generation: 3,
          annotations: { 'deployment.kubernetes.io/revision': '3' },
        },
        spec: {
          replicas: 1,
          selector: { matchLabels: { app: 'api' } },
          template: {
            metadata: { labels: { app: 'api' } },
            spec: {
              containers: [
                {
                  name: 'app',
                  image: 'registry.example/api:3',
                  env: [
                    { name: 'STORE_ADDR', value: 'store:5432' },
                    { name: 'DB_PASSWORD', valueFrom: { secretKeyRef: { name: 'db-creds', key: 'password' } } },
                  ],
                },
              ],
            },
          },
        },
        status: { replicas: 1, readyReplicas: 0, unavailableReplicas: 1 },
      },
      replicaSet('api-aaaa1', '1', '2026-02-01T10:00:00Z', DEPLOYMENT_UID, 'registry.example/api:1'),
      replicaSet('api-cccc3', '3', '2026-02-10T07:45:00Z', DEPLOYMENT_UID, 'registry.example/api:3'),
      replicaSet('api-bbbb2', '2', '2026-02-05T10:00:00Z', DEPLOYMENT_UID, 'registry.example/api:2'),
      replicaSet('api-zzzz9', '9', '2026-02-09T10:00:00Z', 'someone-else', 'registry.example/other:9'),
      {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: {
          name: 'api-cccc3-x1y2z',
          namespace: NS,
          uid: 'pod-api',
          labels: { app: 'api', 'pod-template-hash': 'cccc3' },
          ownerReferences: [
            { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'api-cccc3', uid: 'uid-api-cccc3', controller: true },
          ],
        },
        spec: {
          nodeName: 'node-a',
          containers: [
            {
              name: 'app',
              image: 'registry.example/api:3',
              env: [
                { name: 'STORE_ADDR', value: 'store:5432' },
                { name: 'LEDGER_URL', value: 'http://ledger.shared-ns.svc.cluster.local:8080/v1' },
                { name: 'DB_PASSWORD', valueFrom: { secretKeyRef: { name: 'db-creds', key: 'password' } } },
              ],
            },
          ],
        },
        status: {
          phase: 'Running',
          conditions: [{ type: 'Ready', status: 'False' }],
          containerStatuses: [
            {
              name: 'app',
              ready: false,
              restartCount: 4,
              image: 'registry.example/api:3',
              imageID: '',
              state: { waiting: { reason: 'CrashLoopBackOff' } },
              lastState: { terminated: { exitCode: 1, reason: 'Error', finishedAt: '2026-02-10T07:58:00Z' } },
            },
          ],
        },
      },
      ...['other-pod-1', 'other-pod-2'].map((name) => ({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name, namespace: 'elsewhere', uid: `pod-${name}`, labels: { app: 'other' } },
        spec: { containers: [{ name: 'c', image: 'registry.example/other:1' }] },
        status: { phase: 'Pending' },
      })),
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shared-ns', uid: 'ns-3' } },
      {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'ledger', namespace: 'shared-ns', uid: 'svc-ledger' },
        spec: { selector: { app: 'ledger' }, ports: [{ port: 8080 }] },
      },
      {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'ledger-0', namespace: 'shared-ns', uid: 'pod-ledger', labels: { app: 'ledger' } },
        spec: {
          containers: [{ name: 'ledger', image: 'registry.example/ledger:1' }],
          volumes: [{ name: 'data', persistentVolumeClaim: { claimName: 'ledger-data' } }],
        },
        status: { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable' }] },
      },
      {
        apiVersion: 'v1',
        kind: 'PersistentVolumeClaim',
        metadata: { name: 'ledger-data', namespace: 'shared-ns', uid: 'pvc-ledger' },
        spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
        status: { phase: 'Pending' },
      },
      {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'api', namespace: NS, uid: 'svc-api' },
        spec: { selector: { app: 'api' }, ports: [{ port: 80, targetPort: 8080 }] },
      },
      {
        apiVersion: 'v1',
        kind: 'Endpoints',
        metadata: { name: 'api', namespace: NS, uid: 'ep-api' },
        subsets: [{ notReadyAddresses: [{ ip: '10.0.0.5' }], ports: [{ port: 8080 }] }],
      },
      {
        apiVersion: 'v1',
        kind: 'Secret',
        type: 'Opaque',
        metadata: {
          name: 'db-creds',
          namespace: NS,
          uid: 'secret-1',
          annotations: {
            'kubectl.kubernetes.io/last-applied-configuration': JSON.stringify({
              data: { password: b64(SECRET_VALUE) },
            }),
            owner: 'platform',
          },
        },
        data: { password: b64(SECRET_VALUE), user: b64('api') },
      },
      {
        apiVersion: 'networking.k8s.io/v1',
        kind: 'NetworkPolicy',
        metadata: { name: 'api-ingress', namespace: NS, uid: 'np-1' },
        spec: {
          podSelector: { matchLabels: { app: 'api' } },
          policyTypes: ['Ingress'],
          ingress: [
            {
              from: [
                { podSelector: { matchLabels: { role: 'gateway' } } },
                { namespaceSelector: { matchLabels: { team: 'edge' } } },
              ],
            },
          ],
        },
      },
      {
        apiVersion: 'v1',
        kind: 'Event',
        metadata: { name: 'api-backoff', namespace: NS, uid: 'ev-1' },
        involvedObject: { kind: 'Pod', namespace: NS, name: 'api-cccc3-x1y2z', uid: 'pod-api' },
        reason: 'BackOff',
        message: 'Back-off restarting failed container app',
        type: 'Warning',
        count: 12,
        lastTimestamp: '2026-02-10T07:59:00Z',
      },
      {
        apiVersion: 'v1',
        kind: 'Event',
        metadata: { name: 'api-scaled', namespace: NS, uid: 'ev-2' },
        involvedObject: { kind: 'Deployment', namespace: NS, name: 'api', uid: DEPLOYMENT_UID },
        reason: 'ScalingReplicaSet',
        message: 'Scaled up replica set api-cccc3 to 1',
        type: 'Normal',
        lastTimestamp: '2026-02-10T07:45:00Z',
      },
    ],
    logs: [
      { namespace: NS, pod: 'api-cccc3-x1y2z', container: 'app', lines: logLines },
      {
        namespace: NS,
        pod: 'api-cccc3-x1y2z',
        container: 'app',
        previous: true,
        lines: ['2026-02-10T07:57:00Z starting', '2026-02-10T07:58:00Z FATAL cannot connect to store:5432'],
      },
    ],
  },
  groundTruth: { rootCause: [{ kind: 'Deployment', namespace: NS, name: 'api' }], faultType: 'dependency-down' },
};
