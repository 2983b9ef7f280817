import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { PatchStrategy, setHeaderOptions, Watch } from '@kubernetes/client-node';
import type { AccessRequest } from '../../src/simulation/kube-api/server.ts';
import { simulationKubeConfig } from '../../src/simulation/kubeconfig.ts';
import { rejection, startTestCluster, type TestCluster } from './kube-cluster.ts';

let cluster: TestCluster;
afterEach(() => cluster.server.close());
const namespace = 'alpha';

async function raw(method: string, path: string, body: string, contentType = 'application/json') {
  const response = await fetch(`${cluster.server.url}${path}`, {
    method,
    body,
    headers: { 'content-type': contentType },
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe('simulated API server: the rules a real server enforces on writes', () => {
  it('answers 403 Forbidden with the RBAC wording when the authorizer refuses', async () => {
    const asked: AccessRequest[] = [];
    cluster = await startTestCluster({
      authorize: (request) => {
        asked.push(request);
        return request.verb === 'get' || request.verb === 'list';
      },
    });
    await cluster.core.readNamespacedConfigMap({ name: 'settings', namespace });
    const { code, body } = await rejection(cluster.apps.deleteNamespacedDeployment({ name: 'web', namespace }));
    assert.equal(code, 403);
    assert.equal(body.reason, 'Forbidden');
    assert.match(
      String(body.message),
      /^deployments\.apps "web" is forbidden: User ".+" cannot delete resource "deployments" in API group "apps" in the namespace "alpha"$/,
    );
    assert.deepEqual(asked.at(-1), {
      verb: 'delete',
      group: 'apps',
      resource: 'deployments',
      subresource: undefined,
      namespace,
      name: 'web',
      token: 'simulated-cluster-token',
    });
    await cluster.apps.readNamespacedDeployment({ name: 'web', namespace });
  });

  it('tolerates a problem the stored object already had, but not a new one', async () => {
    cluster = await startTestCluster();
    const scaled = await cluster.apps.patchNamespacedDeploymentScale(
      { name: 'legacy', namespace: 'beta', body: { spec: { replicas: 3 } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    assert.equal(scaled.spec?.replicas, 3);
    const fixed = await cluster.apps.patchNamespacedDeployment(
      {
        name: 'legacy',
        namespace: 'beta',
        body: {
          spec: { template: { spec: { containers: [{ name: 'app', resources: { limits: { memory: '2Gi' } } }] } } },
        },
      },
      setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
    );
    assert.equal(fixed.spec?.template.spec?.containers[0]?.resources?.limits?.memory, '2Gi');
    const rolledBack = await cluster.apps.patchNamespacedDeployment(
      {
        name: 'legacy',
        namespace: 'beta',
        body: [{ op: 'replace', path: '/spec/template/spec/containers/0/resources/limits/memory', value: '64Mi' }],
      },
      setHeaderOptions('Content-Type', PatchStrategy.JsonPatch),
    );
    assert.equal(
      rolledBack.spec?.template.spec?.containers[0]?.resources?.limits?.memory,
      '64Mi',
      'rolling back to the scenario original is allowed',
    );
    const broken = await rejection(
      cluster.apps.patchNamespacedDeployment(
        { name: 'legacy', namespace: 'beta', body: { spec: { replicas: -2 } } },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      ),
    );
    assert.equal(broken.code, 422);
  });

  it('writes status only through the status subresource', async () => {
    cluster = await startTestCluster();
    const viaMain = await cluster.apps.patchNamespacedDeployment(
      { name: 'web', namespace, body: { status: { readyReplicas: 0 } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    assert.equal(viaMain.status?.readyReplicas, 2);
    const viaStatus = await cluster.apps.patchNamespacedDeploymentStatus(
      { name: 'web', namespace, body: { status: { readyReplicas: 0 }, spec: { replicas: 9 } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    assert.equal(viaStatus.status?.readyReplicas, 0);
    assert.equal(viaStatus.spec?.replicas, 2, 'the status subresource ignores spec');
    assert.equal(viaStatus.metadata?.generation, 4);
  });

  it('collects the dependents of a deleted owner, unless orphaned', async () => {
    cluster = await startTestCluster();
    await cluster.apps.deleteNamespacedReplicaSet({
      name: 'web-6d4f',
      namespace,
      propagationPolicy: 'Orphan',
      dryRun: 'All',
    });
    await cluster.apps.deleteNamespacedReplicaSet({ name: 'web-6d4f', namespace, propagationPolicy: 'Orphan' });
    const orphans = await cluster.core.listNamespacedPod({ namespace, labelSelector: 'app=web' });
    assert.equal(orphans.items.length, 2, 'orphaned pods stay');
    await cluster.core.createNamespacedConfigMap({
      namespace,
      body: {
        metadata: {
          name: 'owned',
          ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', uid: 'dep-web' }],
        },
      },
    });
    await cluster.core.patchNamespacedPod(
      {
        name: 'web-1',
        namespace,
        body: {
          metadata: { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', uid: 'dep-web' }] },
        },
      },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    await cluster.apps.deleteNamespacedDeployment({ name: 'web', namespace });
    assert.equal((await rejection(cluster.core.readNamespacedConfigMap({ name: 'owned', namespace }))).code, 404);
    const pods = await cluster.core.listNamespacedPod({ namespace, labelSelector: 'app=web' });
    assert.deepEqual(
      pods.items.map((pod) => pod.metadata?.name),
      ['web-2'],
      'the pod it owned went with it, the orphan stayed',
    );
    const beta = await cluster.core.listNamespacedPod({ namespace: 'beta', labelSelector: 'app=web' });
    assert.equal(beta.items.length, 1, 'a namesake in another namespace is untouched');
  });

  it('evicts a pod unless its disruption budget allows no disruption (429)', async () => {
    cluster = await startTestCluster();
    const eviction = (name: string) =>
      cluster.core.createNamespacedPodEviction({ name, namespace, body: { metadata: { name, namespace } } });
    await eviction('web-1');
    assert.equal((await rejection(cluster.core.readNamespacedPod({ name: 'web-1', namespace }))).code, 404);
    const { code, body } = await rejection(eviction('db-0'));
    assert.equal(code, 429);
    assert.equal(body.reason, 'TooManyRequests');
    await cluster.core.readNamespacedPod({ name: 'db-0', namespace });
  });

  it('deletes a collection by selector', async () => {
    cluster = await startTestCluster();
    await cluster.core.deleteCollectionNamespacedPod({ namespace, labelSelector: 'tier=front' });
    const left = await cluster.core.listNamespacedPod({ namespace });
    assert.deepEqual(
      left.items.map((pod) => pod.metadata?.name),
      ['db-0', 'starting-1', 'worker-1'],
    );
  });

  it('refuses mismatched names and namespaces, wrong methods, unknown patch types and malformed bodies', async () => {
    cluster = await startTestCluster();
    const current = await cluster.core.readNamespacedConfigMap({ name: 'settings', namespace });
    const renamed = await rejection(
      cluster.core.replaceNamespacedConfigMap({
        name: 'settings',
        namespace,
        body: { ...current, metadata: { ...current.metadata, name: 'other' } },
      }),
    );
    assert.equal(renamed.code, 400);
    assert.equal(renamed.body.message, 'the name of the object (other) does not match the name on the URL (settings)');
    const moved = await rejection(
      cluster.core.createNamespacedConfigMap({ namespace, body: { metadata: { name: 'm', namespace: 'beta' } } }),
    );
    assert.equal(moved.code, 400);
    const wrongMethod = await raw('POST', '/api/v1/namespaces/alpha/configmaps/settings', '{}');
    assert.equal(wrongMethod.status, 405);
    assert.equal(wrongMethod.body.reason, 'MethodNotAllowed');
    const apply = await raw(
      'PATCH',
      '/api/v1/namespaces/alpha/configmaps/settings',
      '{}',
      'application/apply-patch+yaml',
    );
    assert.equal(apply.status, 415);
    assert.equal(apply.body.reason, 'UnsupportedMediaType');
    const malformed = await raw('PUT', '/api/v1/namespaces/alpha/configmaps/settings', '{"metadata": ');
    assert.equal(malformed.status, 400);
    const served = (await (await fetch(`${cluster.server.url}/_sim/requests`)).json()) as { status: number }[];
    assert.deepEqual(
      served.map((request) => request.status),
      [200, 400, 400, 405, 415, 400],
    );
    const invalidName = await rejection(
      cluster.core.createNamespacedConfigMap({ namespace, body: { metadata: { name: 'Not_Valid' } } }),
    );
    assert.equal(invalidName.code, 422);
    const podChange = await rejection(
      cluster.core.patchNamespacedPod(
        { name: 'web-1', namespace, body: { spec: { nodeName: 'node-2' } } },
        setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
      ),
    );
    assert.equal(podChange.code, 422, 'a pod spec is immutable but for images and a few fields');
    const image = await cluster.core.patchNamespacedPod(
      { name: 'web-1', namespace, body: { spec: { containers: [{ name: 'app', image: 'registry.example/app:2' }] } } },
      setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
    );
    assert.equal(image.spec?.containers[0]?.image, 'registry.example/app:2');
  });
});

describe('simulated API server: watch', () => {
  it('streams the current objects, then each change, through client-node Watch', async () => {
    cluster = await startTestCluster();
    const kubeConfig = simulationKubeConfig(cluster.server.url);
    const seen: string[] = [];
    let notify = () => {};
    const request = await new Watch(kubeConfig).watch(
      '/api/v1/namespaces/alpha/configmaps',
      {},
      (type: string, object: { metadata: { name: string } }) => {
        seen.push(`${type} ${object.metadata.name}`);
        notify();
      },
      () => {},
    );
    const until = (count: number) =>
      new Promise<void>((resolve) => {
        notify = () => seen.length >= count && resolve();
        notify();
      });
    await until(1);
    await cluster.core.createNamespacedConfigMap({ namespace, body: { metadata: { name: 'fresh' } } });
    await cluster.core.deleteNamespacedConfigMap({ name: 'settings', namespace });
    await cluster.core.createNamespacedConfigMap({ namespace: 'beta', body: { metadata: { name: 'elsewhere' } } });
    await until(3);
    request.abort();
    assert.deepEqual(seen, ['ADDED settings', 'ADDED fresh', 'DELETED settings']);
  });
});
