import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { PatchStrategy, setHeaderOptions, type V1ConfigMap, type V1NetworkPolicy } from '@kubernetes/client-node';
import type { StoreChange } from '../../src/simulation/controllers.ts';
import { rejection, startTestCluster, type TestCluster } from './kube-cluster.ts';

let cluster: TestCluster;
let changes: StoreChange[];
beforeEach(async () => {
  changes = [];
  cluster = await startTestCluster({ onWrite: (_store, change) => void changes.push(change) });
});
afterEach(() => cluster.server.close());

const namespace = 'alpha';
const configMap = (name: string, data: Record<string, string>): V1ConfigMap => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace },
  data,
});
/** Typed client results are class instances; compare their JSON. */
const plain = (value: unknown) => JSON.parse(JSON.stringify(value)) as unknown;
const readDeployment = () => cluster.apps.readNamespacedDeployment({ name: 'web', namespace });

describe('simulated API server: writes', () => {
  it('creates an object with server-set metadata, and refuses a duplicate with 409 AlreadyExists', async () => {
    const created = await cluster.core.createNamespacedConfigMap({ namespace, body: configMap('extra', { a: '1' }) });
    assert.ok(created.metadata?.uid);
    assert.match(created.metadata?.resourceVersion ?? '', /^\d+$/);
    const read = await cluster.core.readNamespacedConfigMap({ name: 'extra', namespace });
    assert.deepEqual(read.data, { a: '1' });
    assert.equal(changes.length, 1);
    assert.equal(changes[0]?.before, undefined);
    const { code, body } = await rejection(
      cluster.core.createNamespacedConfigMap({ namespace, body: configMap('extra', {}) }),
    );
    assert.equal(code, 409);
    assert.equal(body.reason, 'AlreadyExists');
    assert.equal(body.message, 'configmaps "extra" already exists');
    const missing = await rejection(
      cluster.core.createNamespacedConfigMap({ namespace: 'gamma', body: { metadata: { name: 'x' } } }),
    );
    assert.equal(missing.code, 404);
    assert.equal(missing.body.message, 'namespaces "gamma" not found');
  });

  it('replaces with a resourceVersion check: stale → 409 Conflict, current → new resourceVersion', async () => {
    const current = await cluster.core.readNamespacedConfigMap({ name: 'settings', namespace });
    const replaced = await cluster.core.replaceNamespacedConfigMap({
      name: 'settings',
      namespace,
      body: { ...current, data: { mode: 'fast' } },
    });
    assert.deepEqual(replaced.data, { mode: 'fast' });
    assert.ok(Number(replaced.metadata?.resourceVersion) > Number(current.metadata?.resourceVersion));
    const { code, body } = await rejection(
      cluster.core.replaceNamespacedConfigMap({ name: 'settings', namespace, body: { ...current, data: {} } }),
    );
    assert.equal(code, 409);
    assert.equal(body.reason, 'Conflict');
    assert.match(
      String(body.message),
      /^Operation cannot be fulfilled on configmaps "settings": the object has been modified/,
    );
    assert.deepEqual((await cluster.core.readNamespacedConfigMap({ name: 'settings', namespace })).data, {
      mode: 'fast',
    });
  });

  it('deletes: a Status for most kinds, the object for pods, then 404', async () => {
    const status = await cluster.core.deleteNamespacedConfigMap({ name: 'settings', namespace });
    assert.equal(status.status, 'Success');
    assert.equal((await rejection(cluster.core.readNamespacedConfigMap({ name: 'settings', namespace }))).code, 404);
    const pod = await cluster.core.deleteNamespacedPod({ name: 'web-2', namespace });
    assert.equal(pod.metadata?.name, 'web-2');
    const again = await rejection(cluster.core.deleteNamespacedPod({ name: 'web-2', namespace }));
    assert.equal(again.code, 404);
    assert.deepEqual(
      changes.map((change) => [change.kind, change.name, change.after === undefined]),
      [
        ['ConfigMap', 'settings', true],
        ['Pod', 'web-2', true],
      ],
    );
  });

  it('applies a JSON patch, and answers 422 when a test operation fails', async () => {
    const patched = await cluster.apps.patchNamespacedDeployment(
      {
        name: 'web',
        namespace,
        body: [
          { op: 'test', path: '/spec/replicas', value: 2 },
          { op: 'replace', path: '/spec/template/spec/containers/0/image', value: 'registry.example/app:2' },
          { op: 'add', path: '/metadata/annotations', value: { 'team/owner': 'payments' } },
        ],
      },
      setHeaderOptions('Content-Type', PatchStrategy.JsonPatch),
    );
    assert.equal(patched.spec?.template.spec?.containers[0]?.image, 'registry.example/app:2');
    assert.equal(patched.metadata?.annotations?.['team/owner'], 'payments');
    assert.equal(patched.metadata?.generation, 5, 'a spec change bumps the generation');
    assert.deepEqual(
      plain(patched.status),
      { replicas: 2, readyReplicas: 2 },
      'status is not writable through the main resource',
    );
    const { code } = await rejection(
      cluster.apps.patchNamespacedDeployment(
        { name: 'web', namespace, body: [{ op: 'test', path: '/spec/replicas', value: 7 }] },
        setHeaderOptions('Content-Type', PatchStrategy.JsonPatch),
      ),
    );
    assert.equal(code, 422);
  });

  it('applies a merge patch, where null removes a key and lists are replaced whole', async () => {
    const patched = await cluster.core.patchNamespacedConfigMap(
      { name: 'settings', namespace, body: { data: { mode: 'fast', level: null } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    assert.deepEqual(patched.data, { mode: 'fast' });
    const deployment = await cluster.apps.patchNamespacedDeployment(
      {
        name: 'web',
        namespace,
        body: { spec: { template: { spec: { containers: [{ name: 'only', image: 'i:1' }] } } } },
      },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    assert.deepEqual(
      deployment.spec?.template.spec?.containers.map((container) => container.name),
      ['only'],
    );
  });

  it('applies a strategic merge patch, merging containers, env and ports by key, with $patch: delete', async () => {
    const patched = await cluster.apps.patchNamespacedDeployment(
      {
        name: 'web',
        namespace,
        body: {
          spec: {
            template: {
              metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': '2026-03-01T12:00:00Z' } },
              spec: {
                containers: [
                  {
                    name: 'app',
                    resources: { limits: { memory: '256Mi' } },
                    env: [
                      { name: 'MODE', value: 'fast' },
                      { name: 'LEVEL', $patch: 'delete' },
                    ],
                    ports: [{ containerPort: 8080, protocol: 'TCP' }],
                  },
                ],
              },
            },
          },
        },
      },
      setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
    );
    const containers = patched.spec?.template.spec?.containers ?? [];
    assert.deepEqual(
      containers.map((container) => container.name),
      ['app', 'proxy'],
    );
    assert.deepEqual(plain(containers[0]?.env), [{ name: 'MODE', value: 'fast' }]);
    assert.deepEqual(plain(containers[0]?.ports), [{ containerPort: 8080, name: 'http', protocol: 'TCP' }]);
    assert.deepEqual(plain(containers[0]?.resources), { requests: { memory: '64Mi' }, limits: { memory: '256Mi' } });
    assert.equal(
      patched.spec?.template.metadata?.annotations?.['kubectl.kubernetes.io/restartedAt'],
      '2026-03-01T12:00:00Z',
    );
    const custom = await rejection(
      cluster.custom.patchNamespacedCustomObject(
        { group: 'chaos-mesh.org', version: 'v1alpha1', namespace, plural: 'podchaoss', name: 'kill-web', body: {} },
        setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
      ),
    );
    assert.equal(custom.code, 415, 'custom resources take no strategic merge patch, as on a real server');
  });

  it('refuses what the real server validates: requests above limits, immutable selectors (422 Invalid)', async () => {
    const { code, body } = await rejection(
      cluster.apps.patchNamespacedDeployment(
        {
          name: 'web',
          namespace,
          body: {
            spec: { template: { spec: { containers: [{ name: 'app', resources: { requests: { memory: '1Gi' } } }] } } },
          },
        },
        setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
      ),
    );
    assert.equal(code, 422);
    assert.equal(body.reason, 'Invalid');
    assert.match(
      String(body.message),
      /^Deployment\.apps "web" is invalid: spec\.template\.spec\.containers\[0\]\.resources\.requests/,
    );
    const selector = await rejection(
      cluster.apps.patchNamespacedDeployment(
        { name: 'web', namespace, body: { spec: { selector: { matchLabels: { app: 'other' } } } } },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      ),
    );
    assert.equal(selector.code, 422);
  });

  it('dryRun=All answers the result and stores nothing, for every verb', async () => {
    const before = await cluster.core.readNamespacedConfigMap({ name: 'settings', namespace });
    const dry = await cluster.core.patchNamespacedConfigMap(
      { name: 'settings', namespace, dryRun: 'All', body: { data: { mode: 'dry' } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    assert.equal(dry.data?.mode, 'dry');
    await cluster.core.createNamespacedConfigMap({ namespace, dryRun: 'All', body: configMap('phantom', {}) });
    await cluster.core.replaceNamespacedConfigMap({
      name: 'settings',
      namespace,
      dryRun: 'All',
      body: { ...before, data: {} },
    });
    await cluster.core.deleteNamespacedConfigMap({ name: 'settings', namespace, dryRun: 'All' });
    await cluster.apps.replaceNamespacedDeploymentScale({
      name: 'web',
      namespace,
      dryRun: 'All',
      body: { metadata: { name: 'web', namespace }, spec: { replicas: 9 } },
    });
    const after = await cluster.core.readNamespacedConfigMap({ name: 'settings', namespace });
    assert.deepEqual(after, before);
    assert.equal((await rejection(cluster.core.readNamespacedConfigMap({ name: 'phantom', namespace }))).code, 404);
    assert.equal((await readDeployment()).spec?.replicas, 2);
    assert.equal(changes.length, 0, 'no write reached the controllers');
  });

  it('serves the scale subresource: get, replace and patch, as autoscaling/v1 Scale', async () => {
    const scale = await cluster.apps.readNamespacedDeploymentScale({ name: 'web', namespace });
    assert.equal(scale.kind, 'Scale');
    assert.equal(scale.apiVersion, 'autoscaling/v1');
    assert.deepEqual([scale.spec?.replicas, scale.status?.replicas, scale.status?.selector], [2, 2, 'app=web']);
    const replaced = await cluster.apps.replaceNamespacedDeploymentScale({
      name: 'web',
      namespace,
      body: { metadata: { name: 'web', namespace }, spec: { replicas: 3 } },
    });
    assert.equal(replaced.spec?.replicas, 3);
    assert.equal((await readDeployment()).spec?.replicas, 3);
    const patched = await cluster.apps.patchNamespacedDeploymentScale(
      { name: 'web', namespace, body: { spec: { replicas: 0 } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    assert.equal(patched.spec?.replicas, 0);
    const deployment = await readDeployment();
    assert.equal(deployment.spec?.replicas, 0);
    assert.equal(deployment.metadata?.generation, 6);
    const negative = await rejection(
      cluster.apps.replaceNamespacedDeploymentScale({
        name: 'web',
        namespace,
        body: { metadata: { name: 'web' }, spec: { replicas: -1 } },
      }),
    );
    assert.equal(negative.code, 422);
  });

  it('writes custom resources through CustomObjectsApi and any kind through KubernetesObjectApi', async () => {
    await cluster.custom.patchNamespacedCustomObject(
      {
        group: 'chaos-mesh.org',
        version: 'v1alpha1',
        namespace,
        plural: 'podchaoss',
        name: 'kill-web',
        body: { spec: { paused: true } },
      },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    const chaos = (await cluster.custom.getNamespacedCustomObject({
      group: 'chaos-mesh.org',
      version: 'v1alpha1',
      namespace,
      plural: 'podchaoss',
      name: 'kill-web',
    })) as { spec: Record<string, unknown> };
    assert.deepEqual(chaos.spec, { action: 'pod-kill', paused: true });
    await cluster.custom.deleteNamespacedCustomObject({
      group: 'chaos-mesh.org',
      version: 'v1alpha1',
      namespace,
      plural: 'podchaoss',
      name: 'kill-web',
    });
    const created = await cluster.objects.create<V1NetworkPolicy>({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'deny-all', namespace },
      spec: { podSelector: {}, policyTypes: ['Ingress'] },
    });
    assert.ok(created.metadata?.uid);
    const policies = await cluster.networking.listNamespacedNetworkPolicy({ namespace });
    assert.deepEqual(
      policies.items.map((policy) => policy.metadata?.name),
      ['deny-all'],
    );
  });
});
