import assert from 'node:assert/strict';
import { test } from 'node:test';
import { policyGuardedPeers } from '../../src/investigation/evidence/policy-guarded-peers.ts';
import { emptySnapshot } from '../../src/investigation/evidence/snapshot.ts';
import { parseScenario } from '../../src/simulation/scenario.ts';
import { replayScenario } from './support/replay.ts';

// Network policy where the server lives: a caller in one namespace fails to reach a server in another, and the
// policies of the server's namespace that select its pods admit it in no rule (a namespaceSelector AND podSelector in
// one peer that its namespace or pods do not match, a port that is not the server's). Made-up clusters, built here.

const NOW = '2026-03-02T10:00:00Z';
const OLD = '2026-01-10T08:00:00Z';
type Obj = Record<string, unknown>;

const namespace = (name: string, labels: Record<string, string> = {}): Obj => ({
  apiVersion: 'v1',
  kind: 'Namespace',
  metadata: {
    name,
    uid: `ns-${name}`,
    creationTimestamp: OLD,
    labels: { 'kubernetes.io/metadata.name': name, ...labels },
  },
  status: { phase: 'Active' },
});

const node: Obj = {
  apiVersion: 'v1',
  kind: 'Node',
  metadata: { name: 'worker-1', uid: 'node-worker-1', creationTimestamp: OLD },
  status: {
    conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: OLD }],
    allocatable: { cpu: '8', memory: '32Gi', pods: '110' },
  },
};

interface App {
  ns: string;
  name: string;
  labels: Record<string, string>;
  port: number;
  env?: Obj[];
  ready?: boolean;
  /** The readiness probe's failure, as the kubelet reports it, when not ready. */
  probe?: string;
  ip: string;
  kind?: 'Deployment' | 'StatefulSet';
  crashing?: boolean;
}

/** A controller, its pods (2), a Service of its name selecting its labels, and their Endpoints. */
function app(a: App): Obj[] {
  const kind = a.kind ?? 'Deployment';
  const ready = a.ready ?? true;
  const rs = `${a.name}-6d5f8c7b9`;
  const owner =
    kind === 'Deployment'
      ? { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: rs, uid: `rs-${a.name}`, controller: true }
      : { apiVersion: 'apps/v1', kind: 'StatefulSet', name: a.name, uid: `sts-${a.name}`, controller: true };
  const template = {
    metadata: { labels: a.labels },
    spec: {
      containers: [
        {
          name: a.name,
          image: `registry.example/${a.name}:1.4.2`,
          ports: [{ name: 'main', containerPort: a.port }],
          ...(a.env ? { env: a.env } : {}),
          readinessProbe: { httpGet: { path: '/ready', port: a.port }, periodSeconds: 10 },
        },
      ],
    },
  };
  const podNames = kind === 'Deployment' ? [`${rs}-k2x9d`, `${rs}-p7hcn`] : [`${a.name}-0`, `${a.name}-1`];
  const objects: Obj[] = [
    {
      apiVersion: 'apps/v1',
      kind,
      metadata: { name: a.name, namespace: a.ns, uid: `${kind}-${a.name}`, creationTimestamp: OLD, labels: a.labels },
      spec: {
        replicas: 2,
        selector: { matchLabels: a.labels },
        template,
        ...(kind === 'StatefulSet' ? { serviceName: a.name } : {}),
      },
      status: { replicas: 2, readyReplicas: ready ? 2 : 0, availableReplicas: ready ? 2 : 0, updatedReplicas: 2 },
    },
  ];
  if (kind === 'Deployment')
    objects.push({
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: {
        name: rs,
        namespace: a.ns,
        uid: `rs-${a.name}`,
        creationTimestamp: OLD,
        labels: a.labels,
        annotations: { 'deployment.kubernetes.io/revision': '4' },
        ownerReferences: [
          { apiVersion: 'apps/v1', kind: 'Deployment', name: a.name, uid: `Deployment-${a.name}`, controller: true },
        ],
      },
      spec: { replicas: 2, selector: { matchLabels: a.labels }, template },
      status: { replicas: 2, readyReplicas: ready ? 2 : 0 },
    });
  podNames.forEach((pod, i) => {
    const ip = `${a.ip}${i + 1}`;
    objects.push({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: pod,
        namespace: a.ns,
        uid: `pod-${pod}`,
        creationTimestamp: OLD,
        labels: a.labels,
        ownerReferences: [owner],
      },
      spec: { ...template.spec, nodeName: 'worker-1' },
      status: {
        phase: 'Running',
        podIP: ip,
        startTime: OLD,
        conditions: [
          { type: 'Ready', status: ready ? 'True' : 'False', lastTransitionTime: ready ? OLD : '2026-03-02T09:42:30Z' },
        ],
        containerStatuses: [
          a.crashing
            ? {
                name: a.name,
                ready: false,
                restartCount: 9,
                state: { waiting: { reason: 'CrashLoopBackOff', message: 'back-off restarting failed container' } },
                lastState: { terminated: { exitCode: 1, reason: 'Error', finishedAt: '2026-03-02T09:58:00Z' } },
              }
            : { name: a.name, ready, restartCount: 0, state: { running: { startedAt: OLD } } },
        ],
      },
    });
    if (!ready && a.probe)
      objects.push({
        apiVersion: 'v1',
        kind: 'Event',
        metadata: { name: `${pod}.17a2b3c4d5e6`, namespace: a.ns, uid: `ev-${pod}` },
        involvedObject: { kind: 'Pod', name: pod, namespace: a.ns, uid: `pod-${pod}` },
        reason: 'Unhealthy',
        type: 'Warning',
        message: a.probe,
        count: 40,
        firstTimestamp: '2026-03-02T09:42:00Z',
        lastTimestamp: '2026-03-02T09:59:00Z',
      });
  });
  objects.push(
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: a.name, namespace: a.ns, uid: `svc-${a.name}`, creationTimestamp: OLD },
      spec: { selector: a.labels, ports: [{ name: 'main', port: a.port, targetPort: a.port }], clusterIP: `${a.ip}0` },
    },
    {
      apiVersion: 'v1',
      kind: 'Endpoints',
      metadata: { name: a.name, namespace: a.ns, uid: `ep-${a.name}` },
      subsets: [
        {
          [ready ? 'addresses' : 'notReadyAddresses']: podNames.map((pod, i) => ({
            ip: `${a.ip}${i + 1}`,
            targetRef: { kind: 'Pod', name: pod, namespace: a.ns },
          })),
          ports: [{ name: 'main', port: a.port }],
        },
      ],
    },
  );
  return objects;
}

const policy = (ns: string, name: string, changed: string, spec: Obj): Obj => ({
  apiVersion: 'networking.k8s.io/v1',
  kind: 'NetworkPolicy',
  metadata: {
    name,
    namespace: ns,
    uid: `np-${name}`,
    creationTimestamp: OLD,
    managedFields: [
      { manager: 'kubectl-client-side-apply', operation: 'Update', apiVersion: 'networking.k8s.io/v1', time: OLD },
      ...(changed !== OLD
        ? [{ manager: 'kubectl-edit', operation: 'Update', apiVersion: 'networking.k8s.io/v1', time: changed }]
        : []),
    ],
  },
  spec,
});

const denyAll = (ns: string): Obj =>
  policy(ns, 'default-deny-ingress', OLD, { podSelector: {}, policyTypes: ['Ingress'], ingress: [] });

async function replay(alert: Obj, objects: Obj[], logs: Obj[] = []) {
  const scenario = parseScenario(
    {
      apiVersion: 'scenario/v1',
      id: 'made-up',
      title: 'made up',
      now: NOW,
      alert,
      cluster: { objects, logs },
      groundTruth: { rootCause: [{ kind: 'Namespace', name: 'x' }], faultType: 'other' },
    },
    'inline',
  );
  const { result, steps, requests } = await replayScenario(scenario);
  const asked = requests.map((r) => `${r.server} ${r.method} ${r.path} ${JSON.stringify(r.query)}`);
  // No list is asked twice: what locating read across the cluster answers the server's namespace without a request.
  assert.deepEqual(
    asked.filter((request, index) => asked.indexOf(request) !== index),
    [],
  );
  return { result, steps, requests: asked.length };
}

// Shape 1: the caller logs nothing about it; its readiness probe checks its database and fails, its pods leave the
// Service. The database's namespace has a deny-all and an allow-list edited 18 minutes ago whose only peer wants the
// caller's namespace to carry a label it does not carry (namespaceSelector AND podSelector in one peer).
const ledger = (allowed: Record<string, string>, serverDown = false) => [
  node,
  namespace('ledger', { tier: 'backend' }),
  namespace('vault-db', { tier: 'data' }),
  ...app({
    ns: 'ledger',
    name: 'payments',
    labels: { 'app.kubernetes.io/name': 'payments' },
    port: 8080,
    ip: '10.42.1.1',
    ready: false,
    probe: 'Readiness probe failed: HTTP probe failed with statuscode: 503',
    env: [
      { name: 'DATABASE_URL', value: 'postgres://pay@pg-main.vault-db.svc.cluster.local:5432/payments' },
      { name: 'DATABASE_PASSWORD', valueFrom: { secretKeyRef: { name: 'payments-db', key: 'password' } } },
      { name: 'SIGNING_KEY', valueFrom: { secretKeyRef: { name: 'payments-signing', key: 'key' } } },
    ],
  }),
  ...app({
    ns: 'ledger',
    name: 'checkout',
    labels: { 'app.kubernetes.io/name': 'checkout' },
    port: 8000,
    ip: '10.42.2.1',
    env: [{ name: 'PAYMENTS_URL', value: 'http://payments.ledger.svc:8080' }],
  }),
  ...app({
    ns: 'vault-db',
    name: 'pg-main',
    kind: 'StatefulSet',
    labels: { 'app.kubernetes.io/name': 'pg-main' },
    port: 5432,
    ip: '10.42.3.1',
    ready: !serverDown,
    crashing: serverDown,
  }),
  denyAll('vault-db'),
  policy('vault-db', 'pg-main-clients', '2026-03-02T09:41:00Z', {
    podSelector: { matchLabels: { 'app.kubernetes.io/name': 'pg-main' } },
    policyTypes: ['Ingress'],
    ingress: [
      {
        from: [
          {
            namespaceSelector: { matchLabels: allowed },
            podSelector: { matchLabels: { 'app.kubernetes.io/name': 'payments' } },
          },
        ],
        ports: [{ port: 5432, protocol: 'TCP' }],
      },
    ],
  }),
];

// The alert names no namespace: locating it reads the cluster's lists first, and the budget leaves the database's
// namespace unread by the first reads.
const checkoutAlert = {
  source: 'pagerduty',
  title: 'Checkout error rate above 20%',
  labels: { service: 'checkout' },
  startsAt: '2026-03-02T09:43:00Z',
};

test('a readiness probe that checks a database refused by the policy of the database’s namespace: the policy, not the probe', async () => {
  const { result, steps } = await replay(checkoutAlert, ledger({ tier: 'payments' }));
  assert.deepEqual(result.rootCause, { kind: 'NetworkPolicy', namespace: 'vault-db', name: 'pg-main-clients' });
  assert.equal(result.faultType, 'network-policy');
  // The database's namespace is read: by the policy-guarded read, or first by the read of where the unready, quiet
  // callers' settings point (either brings the server's pods and Services the policy is judged against).
  assert.ok(
    steps.some((s) => /in vault-db: (ledger's pods fail to reach it|the errors read name services there)/.test(s)),
    steps.join('\n'),
  );
});

test('negative: the same policy admits the caller’s namespace and the database itself crashes: not the policy', async () => {
  const { result } = await replay(checkoutAlert, ledger({ tier: 'backend' }, true));
  assert.notEqual(result.rootCause?.kind, 'NetworkPolicy');
});

// Shape 2: the caller's log names the server's address with a dial timeout; the server's namespace admits the caller's
// namespace, but on a port the server does not serve (its rule was narrowed to another port 25 minutes ago).
const shop = (rulePort: number) => [
  node,
  namespace('shop'),
  namespace('kv-store'),
  ...app({
    ns: 'shop',
    name: 'cart',
    labels: { app: 'cart', tier: 'web' },
    port: 8080,
    ip: '10.42.4.1',
    env: [
      { name: 'CACHE_ADDR', value: 'session-cache.kv-store.svc:6379' },
      { name: 'CACHE_PASSWORD', valueFrom: { secretKeyRef: { name: 'cart-cache', key: 'password' } } },
      { name: 'PAYMENT_TOKEN', valueFrom: { secretKeyRef: { name: 'cart-psp', key: 'token' } } },
    ],
  }),
  ...app({ ns: 'kv-store', name: 'session-cache', labels: { app: 'session-cache' }, port: 6379, ip: '10.42.5.1' }),
  policy('kv-store', 'session-cache-ingress', '2026-03-02T09:35:00Z', {
    podSelector: { matchLabels: { app: 'session-cache' } },
    ingress: [
      {
        from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'shop' } } }],
        ports: [{ port: rulePort }],
      },
    ],
  }),
];

const cartLogs = [
  {
    namespace: 'shop',
    pod: 'cart-6d5f8c7b9-k2x9d',
    container: 'cart',
    lines: [
      '2026-03-02T09:36:10Z level=error msg="session lookup failed" err="dial tcp 10.42.5.10:6379: i/o timeout"',
      '2026-03-02T09:40:10Z level=error msg="session lookup failed" err="dial tcp 10.42.5.10:6379: i/o timeout"',
      '2026-03-02T09:50:10Z level=error msg="GET /cart 500" err="session store unreachable"',
    ],
  },
];

// Reported in chat, no labels: the namespace is found by the words, through the cluster's lists.
const cartAlert = {
  source: 'slack',
  title: 'cart page keeps failing',
  text: 'customers say the cart page errors since about 09:36, checkout fine otherwise',
  startsAt: '2026-03-02T09:37:00Z',
};

test('a dial timeout to a cache whose namespace admits the caller only on a port the cache does not serve: that policy', async () => {
  const { result } = await replay(cartAlert, shop(6380), cartLogs);
  assert.deepEqual(result.rootCause, { kind: 'NetworkPolicy', namespace: 'kv-store', name: 'session-cache-ingress' });
  assert.equal(result.faultType, 'network-policy');
});

test('negative: the rule admits the server’s port: the timeouts are not the policy’s', async () => {
  const { result } = await replay(cartAlert, shop(6379), cartLogs);
  assert.notEqual(result.rootCause?.kind, 'NetworkPolicy');
});

// Shape 3: the network plugin's own policy kind guards the server (a Cilium endpoint policy), edited 12 minutes ago to
// admit one client namespace; the caller's namespace is another, its connections to the Sentinel port time out.
const ciliumCrd: Obj = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: 'ciliumnetworkpolicies.cilium.io', uid: 'crd-cnp', creationTimestamp: OLD },
  spec: {
    group: 'cilium.io',
    scope: 'Namespaced',
    names: { plural: 'ciliumnetworkpolicies', kind: 'CiliumNetworkPolicy', singular: 'ciliumnetworkpolicy' },
    versions: [{ name: 'v2', served: true, storage: true }],
  },
};

const clinic = (admitted: string) => [
  node,
  ciliumCrd,
  namespace('clinic'),
  namespace('billing'),
  namespace('cache-tier'),
  ...app({
    ns: 'clinic',
    name: 'records-web',
    labels: { 'app.kubernetes.io/name': 'records-web' },
    port: 3000,
    ip: '10.42.7.1',
    env: [{ name: 'SENTINEL_ADDR', value: 'sessions.cache-tier.svc.cluster.local:26379' }],
  }),
  ...app({
    ns: 'cache-tier',
    name: 'sessions',
    kind: 'StatefulSet',
    labels: { 'app.kubernetes.io/name': 'sessions' },
    port: 26379,
    ip: '10.42.8.1',
  }),
  {
    apiVersion: 'cilium.io/v2',
    kind: 'CiliumNetworkPolicy',
    metadata: {
      name: 'sessions-clients',
      namespace: 'cache-tier',
      uid: 'cnp-sessions-clients',
      creationTimestamp: OLD,
      managedFields: [
        { manager: 'flux', operation: 'Update', apiVersion: 'cilium.io/v2', time: '2026-03-02T09:48:00Z' },
      ],
      annotations: { 'scenario/plural': 'ciliumnetworkpolicies' },
    },
    spec: {
      endpointSelector: { matchLabels: { 'app.kubernetes.io/name': 'sessions' } },
      ingress: [
        {
          fromEndpoints: [{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': admitted } }],
          toPorts: [{ ports: [{ port: '26379', protocol: 'TCP' }] }],
        },
      ],
    },
  },
];

const recordsLogs = [
  {
    namespace: 'clinic',
    pod: 'records-web-6d5f8c7b9-k2x9d',
    container: 'records-web',
    lines: [
      '2026-03-02T09:49:02Z ERROR [ioredis] Unhandled error event: Error: connect ETIMEDOUT 10.42.8.10:26379',
      '2026-03-02T09:52:02Z ERROR session read failed, redirecting to /login: All sentinels are unreachable',
      '2026-03-02T09:55:02Z ERROR [ioredis] Unhandled error event: Error: connect ETIMEDOUT 10.42.8.10:26379',
    ],
  },
];

const recordsAlert = {
  source: 'alertmanager',
  title: 'RecordsWebErrors',
  labels: { alertname: 'RecordsWebErrors', namespace: 'clinic', service: 'records-web' },
  startsAt: '2026-03-02T09:50:00Z',
};

test('a Cilium policy of the server’s namespace that admits another client namespace only: that policy', async () => {
  const { result } = await replay(recordsAlert, clinic('billing'), recordsLogs);
  assert.deepEqual(result.rootCause, {
    kind: 'CiliumNetworkPolicy',
    namespace: 'cache-tier',
    name: 'sessions-clients',
  });
  assert.equal(result.faultType, 'network-policy');
});

test('negative: the Cilium policy admits the caller’s namespace: not the policy', async () => {
  const { result } = await replay(recordsAlert, clinic('clinic'), recordsLogs);
  assert.notEqual(result.rootCause?.kind, 'CiliumNetworkPolicy');
});

// The choice itself, on a snapshot: which namespaces to read, and when not.
test('a namespace qualifies only when callers fail, name a Service there, and a policy there does not admit them', () => {
  const snapshot = emptySnapshot(NOW);
  const caller = (ready: boolean) => ({
    metadata: { name: 'payments-1', namespace: 'ledger', labels: { app: 'payments' } },
    spec: {
      containers: [{ name: 'payments', image: 'x', env: [{ name: 'DB', value: 'pg-main.vault-db.svc:5432' }] }],
    },
    status: {
      phase: 'Running',
      conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }],
      containerStatuses: [
        { name: 'payments', ready, restartCount: 0, image: 'x', imageID: '', state: { running: {} } },
      ],
    },
  });
  snapshot.namespaces.push({ metadata: { name: 'ledger', labels: { tier: 'backend' } } });
  const admitting = (labels: Record<string, string>) => ({
    metadata: { name: 'pg-main-clients', namespace: 'vault-db' },
    spec: {
      podSelector: { matchLabels: { app: 'pg-main' } },
      ingress: [
        { from: [{ namespaceSelector: { matchLabels: labels }, podSelector: { matchLabels: { app: 'payments' } } }] },
      ],
    },
  });
  snapshot.pods.push(caller(false));
  snapshot.networkPolicies.push(admitting({ tier: 'payments' }));
  assert.deepEqual(policyGuardedPeers(snapshot, 'ledger', []), ['vault-db']);
  // Admitted by its namespace's labels AND its pods' in one peer: nothing to read.
  snapshot.networkPolicies.splice(0, 1, admitting({ tier: 'backend' }));
  assert.deepEqual(policyGuardedPeers(snapshot, 'ledger', []), []);
  // Not admitted, but the caller runs ready and logs no failure: nothing says the policy is felt.
  snapshot.networkPolicies.splice(0, 1, admitting({ tier: 'payments' }));
  snapshot.pods.splice(0, 1, caller(true));
  assert.deepEqual(policyGuardedPeers(snapshot, 'ledger', []), []);
  // It logs connections timing out: it qualifies again.
  const log = (line: string) => ({
    namespace: 'ledger',
    pod: 'payments-1',
    container: 'payments',
    previous: false,
    lines: [`2026-03-02T09:50:00Z ERROR ${line}`],
  });
  snapshot.logs.push(log('connect to pg-main.vault-db.svc:5432 failed: connection timed out'));
  assert.deepEqual(policyGuardedPeers(snapshot, 'ledger', []), ['vault-db']);
  // Its names do not resolve: the calls fail before any connection a policy could drop.
  snapshot.logs.splice(
    0,
    1,
    log(
      'could not translate host name "pg-main.vault-db.svc" to address: Name or service not known; connection timed out',
    ),
  );
  assert.deepEqual(policyGuardedPeers(snapshot, 'ledger', []), []);
});

// Shape 4: two hops. The alerted front's log names its upstream by bare name (its address comes from a file, not its
// env); the upstream, in a namespace of its own, runs unready and logs dial timeouts to `service.namespace` of a third
// namespace, whose allow-list was re-applied 20 minutes ago admitting a namespace label nobody carries.
const retail = (admitted: Record<string, string>) => [
  node,
  namespace('retail-web', { tier: 'web' }),
  namespace('retail-core', { tier: 'core' }),
  namespace('retail-data', { tier: 'data' }),
  ...app({ ns: 'retail-web', name: 'web-shop', labels: { app: 'web-shop' }, port: 3000, ip: '10.42.1.1' }),
  ...app({
    ns: 'retail-core',
    name: 'catalog-api',
    labels: { app: 'catalog-api' },
    port: 8080,
    ip: '10.42.2.1',
    ready: false,
    probe: 'Readiness probe failed: HTTP probe failed with statuscode: 503',
  }),
  ...app({ ns: 'retail-data', name: 'orders-pooler', labels: { app: 'orders-pooler' }, port: 5432, ip: '10.42.3.1' }),
  denyAll('retail-data'),
  policy('retail-data', 'pooler-clients', '2026-03-02T09:40:00Z', {
    podSelector: { matchLabels: { app: 'orders-pooler' } },
    policyTypes: ['Ingress'],
    ingress: [{ from: [{ namespaceSelector: { matchLabels: admitted } }], ports: [{ port: 5432, protocol: 'TCP' }] }],
  }),
];

const retailLogs = [
  ...['k2x9d', 'p7hcn'].map((pod) => ({
    namespace: 'retail-web',
    pod: `web-shop-6d5f8c7b9-${pod}`,
    container: 'web-shop',
    lines: [0, 1, 2].map(
      (i) =>
        `2026-03-02T09:5${i}:00Z {"level":"error","msg":"proxy failed","upstream":"catalog-api","error":"connect ECONNREFUSED 10.42.2.10:8080"}`,
    ),
  })),
  ...['k2x9d', 'p7hcn'].map((pod) => ({
    namespace: 'retail-core',
    pod: `catalog-api-6d5f8c7b9-${pod}`,
    container: 'catalog-api',
    lines: [0, 1, 2].map(
      (i) =>
        `2026-03-02T09:4${i + 3}:00Z ERROR db ping failed: failed to connect to 10.42.3.10:5432 (orders-pooler.retail-data): dial error: i/o timeout`,
    ),
  })),
];

const webShopAlert = {
  source: 'alertmanager',
  title: 'WebShopErrors',
  labels: { alertname: 'WebShopErrors', namespace: 'retail-web', service: 'web-shop' },
  startsAt: '2026-03-02T09:44:00Z',
};

test('two hops: the upstream the front names by bare name is refused by the policy of a third namespace: that policy', async () => {
  const { result, steps } = await replay(webShopAlert, retail({ tier: 'core-apps' }), retailLogs);
  assert.deepEqual(result.rootCause, { kind: 'NetworkPolicy', namespace: 'retail-data', name: 'pooler-clients' });
  assert.equal(result.faultType, 'network-policy');
  assert.ok(
    steps.some((s) => /in retail-data: retail-core's pods fail to reach it/.test(s)),
    steps.join('\n'),
  );
});

test('negative: the third namespace admits the upstream’s namespace: not the policy', async () => {
  const { result } = await replay(webShopAlert, retail({ tier: 'core' }), retailLogs);
  assert.notEqual(result.rootCause?.kind, 'NetworkPolicy');
});

// The caller is given its server's address in a ConfigMap it takes as environment (`envFrom`), not in its own env: it
// is configured to call that namespace all the same.
test('a failing caller configured through the ConfigMap it reads names the server’s namespace as its own env would', () => {
  const snapshot = emptySnapshot(NOW);
  snapshot.namespaces.push({ metadata: { name: 'intake', labels: { tier: 'edge' } } });
  snapshot.pods.push({
    metadata: { name: 'parser-1', namespace: 'intake', labels: { app: 'parser' } },
    spec: { containers: [{ name: 'parser', image: 'x', envFrom: [{ configMapRef: { name: 'parser-settings' } }] }] },
    status: {
      phase: 'Running',
      conditions: [{ type: 'Ready', status: 'False' }],
      containerStatuses: [
        { name: 'parser', ready: false, restartCount: 0, image: 'x', imageID: '', state: { running: {} } },
      ],
    },
  });
  const settings = (url: string) => ({
    metadata: { name: 'parser-settings', namespace: 'intake' },
    data: { BUS_URL: url, WORKERS: '4' },
  });
  snapshot.networkPolicies.push({
    metadata: { name: 'bus-clients', namespace: 'streams' },
    spec: {
      podSelector: { matchLabels: { app: 'bus' } },
      policyTypes: ['Ingress'],
      ingress: [{ from: [{ namespaceSelector: { matchLabels: { tier: 'core' } } }] }],
    },
  });
  snapshot.configMaps.push(settings('nats://bus.streams.svc.cluster.local:4222'));
  assert.deepEqual(policyGuardedPeers(snapshot, 'intake', []), ['streams']);
  // A ConfigMap of the namespace the caller does not read says nothing about where it calls.
  snapshot.configMaps.splice(0, 1, {
    ...settings('nats://bus.streams.svc.cluster.local:4222'),
    metadata: { name: 'other', namespace: 'intake' },
  });
  assert.deepEqual(policyGuardedPeers(snapshot, 'intake', []), []);
});
