import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Alert } from '../../src/alert/alert.ts';
import { MemoryAuditLog } from '../../src/audit/audit-log.ts';
import { investigate } from '../../src/investigation/engine.ts';
import { collectSnapshot, PEER_HARD_LIMIT, REQUEST_BUDGET } from '../../src/investigation/evidence/collect.ts';
import { locateNamespace } from '../../src/investigation/evidence/locate-namespace.ts';
import type { Progress } from '../../src/investigation/model.ts';
import { parseScenario } from '../../src/simulation/scenario.ts';
import { type Simulation, startSimulation } from '../../src/simulation/simulation.ts';
import { NOW, NS, SECRET_VALUE, TOOL_SCENARIO } from './tool-scenario.ts';

let simulation: Simulation;

before(async () => {
  simulation = await startSimulation(parseScenario(TOOL_SCENARIO, 'tool-scenario'));
});
after(async () => {
  await simulation.close();
});

const base = () => ({
  kubeConfig: simulation.kubeConfig,
  prometheusUrl: simulation.prometheusUrl,
  audit: new MemoryAuditLog(),
  now: new Date(NOW),
});

const alert = (partial: Partial<Alert>): Alert => ({
  source: 'alertmanager',
  title: 'Alert',
  labels: {},
  annotations: {},
  ...partial,
});

describe('collectSnapshot', () => {
  it('reads the namespace within the request budget, never listing pods cluster-wide or other namespaces', async () => {
    const start = simulation.requests().length;
    const collected = await collectSnapshot(
      { alert: alert(TOOL_SCENARIO.alert as Partial<Alert>), located: { namespace: NS, assumptions: [], requests: 0 } },
      base(),
    );
    const requests = simulation.requests().slice(start);
    assert.equal(collected.requests, requests.length);
    // The pods call into a second namespace (its objects, policies and the log of the dependency the errors name): more
    // than the usual budget, never more than the hard limit.
    assert.ok(requests.length > REQUEST_BUDGET && requests.length <= PEER_HARD_LIMIT, `${requests.length} requests`);
    assert.ok(!requests.some((request) => request.path === '/api/v1/pods'));
    assert.ok(!requests.some((request) => request.path.includes('/namespaces/elsewhere')));
    assert.ok(requests.some((request) => request.path === '/api/v1/namespaces/shared-ns/pods'));
    assert.ok(collected.snapshot.services.some((service) => service.metadata?.name === 'ledger'));
    assert.deepEqual(
      collected.snapshot.persistentVolumeClaims.map((claim) => claim.metadata?.name),
      ['ledger-data'],
    );
    assert.deepEqual(collected.focus.symptom, { kind: 'Deployment', namespace: NS, name: 'api' });
    assert.equal(collected.snapshot.pods.filter((pod) => pod.metadata?.namespace === NS).length, 1);
    assert.equal(collected.snapshot.replicaSets.length, 4);
    assert.deepEqual(collected.snapshot.secrets[0]?.keys, ['password', 'user']);
    assert.ok(!JSON.stringify(collected.snapshot).includes(Buffer.from(SECRET_VALUE).toString('base64')));
    // The NetworkPolicy selects namespaces by label: their labels are read.
    assert.ok(collected.snapshot.namespaces.some((namespace) => namespace.metadata?.name === NS));
    const previous = collected.snapshot.logs.find((log) => log.previous);
    // Its error line, among the last lines kept whatever they say.
    assert.ok(
      previous?.lines.some((line) => /FATAL cannot connect/.test(line)),
      previous?.lines.join('\n'),
    );
  });

  it('reads referenced Secrets, quotas and claims only where pods are missing or mount one', async () => {
    const start = simulation.requests().length;
    await collectSnapshot(
      { alert: alert({ labels: { namespace: NS } }), located: { namespace: NS, assumptions: [], requests: 0 } },
      base(),
    );
    const paths = simulation
      .requests()
      .slice(start)
      .map((request) => request.path);
    assert.ok(paths.includes(`/api/v1/namespaces/${NS}/secrets`));
    assert.ok(!paths.includes(`/api/v1/namespaces/${NS}/resourcequotas`));
    assert.ok(!paths.includes(`/api/v1/namespaces/${NS}/persistentvolumeclaims`));
    // The peer namespace's pod waits on a claim: that claim, and the quota that might refuse it, are read there.
    assert.ok(paths.includes('/api/v1/namespaces/shared-ns/persistentvolumeclaims'));
  });
});

/** A namespace whose public Ingress routes pay.example.org to Service gate. */
const EDGE_OBJECTS = [
  { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'edge-ns', uid: 'ns-edge' } },
  {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: { name: 'public', namespace: 'edge-ns', uid: 'ing-public' },
    spec: {
      rules: [
        {
          host: 'pay.example.org',
          http: {
            paths: [
              {
                path: '/',
                pathType: 'Prefix',
                backend: { service: { name: 'gate', port: { number: 80 } } },
              },
            ],
          },
        },
      ],
    },
  },
];

describe('locateNamespace', () => {
  it('takes the label without a request', async () => {
    const located = await locateNamespace(alert({ labels: { namespace: NS } }), base());
    assert.deepEqual(located, { namespace: NS, assumptions: [], requests: 0 });
  });

  it('finds where a labelled pod runs', async () => {
    const located = await locateNamespace(alert({ labels: { pod: 'api-cccc3-x1y2z' } }), base());
    assert.deepEqual(located, {
      namespace: NS,
      assumptions: [`namespace ${NS}: where pod api-cccc3-x1y2z runs`],
      requests: 1,
    });
  });

  it('matches a labelled deployment against the cluster when no namespace is given', async () => {
    const located = await locateNamespace(
      alert({ title: 'KubeDeploymentReplicasMismatch', labels: { deployment: 'api' } }),
      base(),
    );
    assert.equal(located.namespace, NS);
  });

  it('finds a namespace the text names, and says it assumed it', async () => {
    const located = await locateNamespace(alert({ source: 'slack', title: `everything in ${NS} is slow` }), base());
    assert.equal(located.namespace, NS);
    // The namespaces and the cluster's Warning events (whether the named one is quiet while trouble began elsewhere).
    // Nothing in the alert could name a workload or Service, so the cluster's are not read.
    assert.equal(located.requests, 2);
    assert.deepEqual(located.everywhere, {});
    assert.match(located.assumptions[0] ?? '', new RegExp(NS));
  });

  it("reads the cluster's workloads and Services when a dashed word of the text could name one elsewhere", async () => {
    const located = await locateNamespace(
      alert({ source: 'slack', title: `everything in ${NS} is slow, orders-sync keeps timing out` }),
      base(),
    );
    assert.equal(located.namespace, NS);
    // Whether what the alert names exactly lives elsewhere: read once, and the collection reuses them.
    assert.equal(located.requests, 5);
    assert.deepEqual(Object.keys(located.everywhere ?? {}).sort(), ['Deployment', 'Service', 'StatefulSet']);
  });

  it('finds the namespace of a workload the text names', async () => {
    const located = await locateNamespace(alert({ source: 'slack', title: 'api keeps restarting' }), base());
    assert.equal(located.namespace, NS);
  });

  it('hands the cluster-wide lists it read in full to the collection, which does not list those kinds again', async () => {
    const unnamed = alert({ source: 'slack', title: 'api keeps restarting' });
    const located = await locateNamespace(unnamed, base());
    assert.ok(located.read?.Deployment?.some((deployment) => deployment.metadata?.name === 'api'));
    assert.ok(located.read?.Service?.every((service) => service.metadata?.namespace === NS));
    // The simulation lists the API server's requests before Prometheus's: count each server on its own.
    const kube = () => simulation.requests().filter((request) => request.server === 'kube');
    const start = kube().length;
    const queriesBefore = simulation.requests().length - start;
    const collected = await collectSnapshot({ alert: unnamed, located }, base());
    const paths = kube()
      .slice(start)
      .map((request) => request.path);
    for (const plural of ['deployments', 'statefulsets', 'services', 'endpoints'])
      assert.ok(!paths.some((path) => path.endsWith(`/namespaces/${NS}/${plural}`)), `${plural} listed again`);
    assert.ok(paths.includes(`/api/v1/namespaces/${NS}/pods`));
    assert.ok(collected.snapshot.deployments.some((deployment) => deployment.metadata?.name === 'api'));
    const prometheus = simulation.requests().length - kube().length - queriesBefore;
    assert.equal(collected.requests, located.requests + paths.length + prometheus);
  });

  it('finds the namespace of a StatefulSet the text names, though it has no pod and no Service', async () => {
    const other = await startSimulation(
      parseScenario(
        {
          ...TOOL_SCENARIO,
          cluster: {
            objects: [
              ...TOOL_SCENARIO.cluster.objects,
              { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'vault-ns', uid: 'ns-vault' } },
              {
                apiVersion: 'apps/v1',
                kind: 'StatefulSet',
                metadata: { name: 'ledger-store', namespace: 'vault-ns', uid: 'sts-ledger-store' },
                spec: { replicas: 0, selector: { matchLabels: { app: 'ledger-store' } }, serviceName: 'ledger-store' },
              },
            ],
          },
        },
        'statefulset-namespace',
      ),
    );
    try {
      const located = await locateNamespace(alert({ source: 'slack', title: 'ledger-store is down' }), {
        ...base(),
        kubeConfig: other.kubeConfig,
      });
      assert.equal(located.namespace, 'vault-ns');
    } finally {
      await other.close();
    }
  });

  it('resolves a host the text mentions through the Ingress that routes it, with one request more', async () => {
    const other = await startSimulation(
      parseScenario(
        {
          ...TOOL_SCENARIO,
          cluster: {
            objects: [...TOOL_SCENARIO.cluster.objects, ...EDGE_OBJECTS],
          },
        },
        'ingress-namespace',
      ),
    );
    try {
      const start = other.requests().length;
      const located = await locateNamespace(alert({ source: 'slack', title: 'checkout on pay.example.org hangs' }), {
        ...base(),
        kubeConfig: other.kubeConfig,
      });
      assert.equal(located.namespace, 'edge-ns');
      assert.equal(located.entryService, 'gate');
      assert.match(located.assumptions[0] ?? '', /Ingress public routes pay\.example\.org/);
      const paths = other
        .requests()
        .slice(start)
        .map((request) => request.path);
      assert.equal(located.requests, paths.length);
      assert.equal(paths.filter((path) => path.endsWith('/ingresses')).length, 1);
      const withoutHost = other.requests().length;
      await locateNamespace(alert({ source: 'slack', title: 'checkout hangs' }), {
        ...base(),
        kubeConfig: other.kubeConfig,
      });
      assert.ok(
        !other
          .requests()
          .slice(withoutHost)
          .some((request) => request.path.endsWith('/ingresses')),
      );
    } finally {
      await other.close();
    }
  });

  it('serves a host through the Ingress when the Gateway API group is served without HTTPRoute', async () => {
    // Gateway API installed in part (a Gateway, no HTTPRoute kind): asking for routes would be answered 404.
    const other = await startSimulation(
      parseScenario(
        {
          ...TOOL_SCENARIO,
          cluster: {
            objects: [
              ...TOOL_SCENARIO.cluster.objects,
              ...EDGE_OBJECTS,
              {
                apiVersion: 'gateway.networking.k8s.io/v1',
                kind: 'Gateway',
                metadata: { name: 'shared', namespace: 'edge-ns', uid: 'gw-shared' },
                spec: { gatewayClassName: 'cloud-lb', listeners: [{ name: 'http', port: 80, protocol: 'HTTP' }] },
              },
            ],
          },
        },
        'partial-gateway-api',
      ),
    );
    try {
      const start = other.requests().length;
      const located = await locateNamespace(alert({ source: 'pagerduty', title: 'pay.example.org returns 502' }), {
        ...base(),
        kubeConfig: other.kubeConfig,
      });
      assert.equal(located.namespace, 'edge-ns');
      assert.equal(located.entryService, 'gate');
      const paths = other
        .requests()
        .slice(start)
        .map((request) => request.path);
      assert.ok(!paths.some((path) => path.endsWith('/httproutes')), paths.join(' '));
    } finally {
      await other.close();
    }
  });

  it('falls back to the namespace with unhealthy pods when the alert names nothing', async () => {
    const located = await locateNamespace(alert({ source: 'slack', title: 'something is wrong' }), base());
    assert.equal(located.namespace, 'elsewhere');
    assert.match(located.assumptions[0] ?? '', /names nothing/);
  });
});

describe('investigate', () => {
  it('reports steps, hypotheses and the answer, and audits the decision', async () => {
    const progress: Progress[] = [];
    const audit = new MemoryAuditLog();
    const result = await investigate(alert({ source: 'slack', title: `api in ${NS} restarts` }), {
      kubeConfig: simulation.kubeConfig,
      audit,
      incidentId: 'inc-9',
      now: new Date(NOW),
      onProgress: (event) => {
        progress.push(event);
      },
    });
    assert.ok(progress.some((event) => event.type === 'step' && event.message.includes(NS)));
    assert.ok(progress.some((event) => event.type === 'hypothesis' && event.change === 'added'));
    assert.deepEqual(progress.at(-1), { type: 'done', result });
    assert.ok(result.assumptions.some((assumption) => assumption.includes(NS)));
    const decided = audit.entries.filter((entry) => entry.action === 'investigation.decided');
    assert.equal(decided.length, 1);
    assert.equal(decided[0]?.incidentId, 'inc-9');
    assert.equal(decided[0]?.justification, result.summary);
    assert.ok(audit.entries.filter((entry) => entry.action.startsWith('tool.')).length >= 8);
  });
});
