import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { AppsV1Api, CoreV1Api, KubeConfig, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { toKubeconfigYaml } from '../../src/simulation/kubeconfig.ts';
import { loadScenario, type Scenario } from '../../src/simulation/scenario.ts';
import { type Simulation, startSimulation } from '../../src/simulation/simulation.ts';

const SCENARIO = new URL('../fixtures/dev/boutique-bad-image.json', import.meta.url).pathname;

let scenario: Scenario;
let simulation: Simulation;
before(async () => {
  scenario = await loadScenario(SCENARIO);
  simulation = await startSimulation(scenario);
});
after(() => simulation.close());

describe('startSimulation', () => {
  it('serves the scenario through a kubeconfig file as kubectl and the bot would load it', async () => {
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromString(toKubeconfigYaml(simulation.kubeApiUrl));
    const namespaces = await kubeConfig.makeApiClient(CoreV1Api).listNamespace();
    const expected = scenario.cluster.objects
      .filter((object) => object.kind === 'Namespace')
      .map((o) => o.metadata.name);
    assert.deepEqual(
      namespaces.items.map((namespace) => namespace.metadata?.name),
      expected.sort(),
    );
  });

  it('counts every request of both servers, from zero per instance, and lists them at /_sim/requests', async () => {
    const fresh = await startSimulation(scenario);
    try {
      assert.deepEqual(fresh.requests(), []);
      const core = fresh.kubeConfig.makeApiClient(CoreV1Api);
      await core.listNamespacedPod({ namespace: 'boutique', labelSelector: 'app=frontend', limit: 10 });
      await core.readNamespacedPod({ name: 'absent', namespace: 'boutique' }).catch(() => undefined);
      await core.createNamespacedConfigMap({
        namespace: 'boutique',
        body: { metadata: { name: 'n' }, data: { a: 'b' } },
      });
      const prometheus = await fetch(`${fresh.prometheusUrl}/api/v1/query?query=up`);
      assert.equal(prometheus.status, 200);
      const served = (await (await fetch(`${fresh.kubeApiUrl}/_sim/requests`)).json()) as unknown[];
      assert.deepEqual(served, [
        {
          method: 'GET',
          path: '/api/v1/namespaces/boutique/pods',
          query: { labelSelector: 'app=frontend', limit: '10' },
          status: 200,
        },
        { method: 'GET', path: '/api/v1/namespaces/boutique/pods/absent', query: {}, status: 404 },
        {
          method: 'POST',
          path: '/api/v1/namespaces/boutique/configmaps',
          query: {},
          body: { metadata: { name: 'n' }, data: { a: 'b' } },
          status: 201,
        },
      ]);
      assert.deepEqual(
        fresh.requests().map((request) => [request.server, request.path]),
        [
          ['kube', '/api/v1/namespaces/boutique/pods'],
          ['kube', '/api/v1/namespaces/boutique/pods/absent'],
          ['kube', '/api/v1/namespaces/boutique/configmaps'],
          ['prometheus', '/api/v1/query'],
        ],
      );
    } finally {
      await fresh.close();
    }
  });

  it('counts only requests sent to its Prometheus URL, not another process polling the port it was given', async () => {
    const fresh = await startSimulation(scenario);
    try {
      // Another process's readiness check, retried at a port it once had: the host and port, not the URL handed out.
      for (let attempt = 0; attempt < 4; attempt++) {
        assert.equal((await fetch(new URL('/healthz', fresh.prometheusUrl))).status, 404);
      }
      // The client's own wrong path is still counted, once per request.
      assert.equal((await fetch(`${fresh.prometheusUrl}/healthz`)).status, 404);
      assert.equal((await fetch(`${fresh.prometheusUrl}/api/v1/query?query=up`)).status, 200);
      assert.deepEqual(
        fresh.requests().map((request) => [request.server, request.method, request.path]),
        [
          ['prometheus', 'GET', '/healthz'],
          ['prometheus', 'GET', '/api/v1/query'],
        ],
      );
    } finally {
      await fresh.close();
    }
  });

  it('counts only requests sent to its API server URL, not another process calling the port it was given', async () => {
    const fresh = await startSimulation(scenario);
    try {
      // Another process's client, retried at a port it once had: the host and port, not the URL handed out.
      for (const path of ['/readyz', '/api/v1/namespaces/boutique/pods', '/_sim/requests']) {
        const stray = await fetch(new URL(path, fresh.kubeApiUrl));
        assert.equal(stray.status, 404, path);
        assert.equal(((await stray.json()) as { reason?: string }).reason, 'NotFound');
      }
      // The client's own requests, through the kubeconfig (and a kubeconfig file, as the roles load it), are counted.
      await fresh.kubeConfig.makeApiClient(CoreV1Api).listNamespacedPod({ namespace: 'boutique', limit: 1 });
      const fromFile = new KubeConfig();
      fromFile.loadFromString(toKubeconfigYaml(fresh.kubeApiUrl));
      await fromFile
        .makeApiClient(CoreV1Api)
        .readNamespacedPod({ name: 'absent', namespace: 'boutique' })
        .catch(() => undefined);
      assert.deepEqual(
        fresh
          .requests()
          .map((request) => [request.server, request.method, request.path, 'status' in request && request.status]),
        [
          ['kube', 'GET', '/api/v1/namespaces/boutique/pods', 200],
          ['kube', 'GET', '/api/v1/namespaces/boutique/pods/absent', 404],
        ],
      );
      assert.equal(((await (await fetch(`${fresh.kubeApiUrl}/_sim/requests`)).json()) as unknown[]).length, 2);
    } finally {
      await fresh.close();
    }
  });

  it('lets the controllers react to writes: a template change rolls a new ReplicaSet revision', async () => {
    const apps = simulation.kubeConfig.makeApiClient(AppsV1Api);
    const target = scenario.groundTruth.rootCause[0]!;
    const before = await apps.readNamespacedDeployment({ name: target.name, namespace: target.namespace! });
    const revision = Number(before.metadata?.annotations?.['deployment.kubernetes.io/revision']);
    await apps.patchNamespacedDeployment(
      {
        name: target.name,
        namespace: target.namespace!,
        body: { spec: { template: { metadata: { annotations: { 'sim/changed': 'yes' } } } } },
      },
      setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
    );
    const after = await apps.readNamespacedDeployment({ name: target.name, namespace: target.namespace! });
    assert.equal(after.metadata?.annotations?.['deployment.kubernetes.io/revision'], String(revision + 1));
    const replicaSets = await apps.listNamespacedReplicaSet({ namespace: target.namespace! });
    const revisions = replicaSets.items
      .filter((rs) => rs.metadata?.ownerReferences?.some((owner) => owner.uid === before.metadata?.uid))
      .map((rs) => rs.metadata?.annotations?.['deployment.kubernetes.io/revision']);
    assert.ok(revisions.includes(String(revision + 1)));
  });
});
