import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { rejection, startTestCluster, type TestCluster } from './kube-cluster.ts';

let cluster: TestCluster;
before(async () => {
  cluster = await startTestCluster();
});
after(() => cluster.server.close());

const names = (list: { items: { metadata?: { name?: string; namespace?: string } }[] }) =>
  list.items.map((item) => item.metadata?.name);

/** Every pod of the test cluster as namespace/name, in the order a cluster-wide list returns them. */
const ALL_PODS = [
  'alpha/db-0',
  'alpha/starting-1',
  'alpha/web-1',
  'alpha/web-2',
  'alpha/worker-1',
  'beta/crasher-1',
  'beta/web-1',
];

describe('simulated API server: get and list through @kubernetes/client-node', () => {
  it('gets a namespaced object and a cluster-scoped one', async () => {
    const pod = await cluster.core.readNamespacedPod({ name: 'web-1', namespace: 'alpha' });
    assert.equal(pod.metadata?.uid, 'uid-web-1');
    assert.equal(pod.spec?.containers[0]?.image, 'registry.example/app:1');
    const node = await cluster.core.readNode({ name: 'node-2' });
    assert.equal(node.metadata?.labels?.zone, 'b');
    const storageClass = await cluster.storage.readStorageClass({ name: 'fast' });
    assert.equal(storageClass.provisioner, 'ebs.csi.aws.com');
  });

  it('lists one namespace, all namespaces, and cluster-scoped kinds, in name order with a resourceVersion', async () => {
    const alpha = await cluster.core.listNamespacedPod({ namespace: 'alpha' });
    assert.equal(alpha.kind, 'PodList');
    assert.equal(alpha.apiVersion, 'v1');
    assert.deepEqual(names(alpha), ['db-0', 'starting-1', 'web-1', 'web-2', 'worker-1']);
    assert.match(alpha.metadata?.resourceVersion ?? '', /^\d+$/);
    const everywhere = await cluster.core.listPodForAllNamespaces();
    assert.deepEqual(
      everywhere.items.map((pod) => `${pod.metadata?.namespace}/${pod.metadata?.name}`),
      ALL_PODS,
    );
    assert.deepEqual(names(await cluster.core.listNode()), ['node-1', 'node-2']);
    assert.deepEqual(names(await cluster.core.listNamespacedPod({ namespace: 'empty' })), []);
    const deployments = await cluster.apps.listNamespacedDeployment({ namespace: 'alpha' });
    assert.equal(deployments.kind, 'DeploymentList');
    assert.equal(deployments.apiVersion, 'apps/v1');
    assert.equal(deployments.items[0]?.spec?.replicas, 2);
  });

  it('answers an unknown object with a NotFound Status', async () => {
    const { code, body } = await rejection(cluster.core.readNamespacedPod({ name: 'ghost', namespace: 'alpha' }));
    assert.equal(code, 404);
    assert.deepEqual(body, {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'pods "ghost" not found',
      reason: 'NotFound',
      details: { name: 'ghost', kind: 'pods' },
      code: 404,
    });
    const other = await rejection(cluster.apps.readNamespacedDeployment({ name: 'web', namespace: 'beta' }));
    assert.equal(other.code, 404);
    assert.equal(other.body.message, 'deployments.apps "web" not found');
    assert.deepEqual(other.body.details, { name: 'web', group: 'apps', kind: 'deployments' });
  });

  for (const [selector, expected] of [
    ['app=web', ['web-1', 'web-2']],
    ['app==web', ['web-1', 'web-2']],
    ['app!=web', ['db-0', 'starting-1', 'worker-1']],
    ['tier in (front,back)', ['db-0', 'web-1', 'web-2']],
    ['tier notin (front)', ['db-0', 'starting-1', 'worker-1']],
    ['track', ['web-1', 'web-2']],
    ['!track', ['db-0', 'starting-1', 'worker-1']],
    ['app=web,track!=canary', ['web-1']],
    ['tier in (front, back),!track', ['db-0']],
  ] as const) {
    it(`selects pods by label selector "${selector}"`, async () => {
      const list = await cluster.core.listNamespacedPod({ namespace: 'alpha', labelSelector: selector });
      assert.deepEqual(names(list), expected);
    });
  }

  it('refuses a malformed label selector with 400 BadRequest', async () => {
    const { code, body } = await rejection(
      cluster.core.listNamespacedPod({ namespace: 'alpha', labelSelector: 'app in web' }),
    );
    assert.equal(code, 400);
    assert.equal(body.reason, 'BadRequest');
  });

  for (const [selector, expected] of [
    ['metadata.name=web-2', ['alpha/web-2']],
    ['metadata.name==web-1', ['alpha/web-1', 'beta/web-1']],
    ['metadata.namespace=beta', ['beta/crasher-1', 'beta/web-1']],
    ['metadata.namespace!=alpha', ['beta/crasher-1', 'beta/web-1']],
    ['spec.nodeName=node-2', ['alpha/worker-1', 'beta/web-1']],
    ['status.phase=Pending', ['alpha/db-0', 'alpha/starting-1']],
    ['status.phase!=Running,spec.nodeName=node-1', ['alpha/db-0', 'alpha/starting-1']],
  ] as const) {
    it(`selects pods by field selector "${selector}"`, async () => {
      const list = await cluster.core.listPodForAllNamespaces({ fieldSelector: selector });
      assert.deepEqual(
        list.items.map((pod) => `${pod.metadata?.namespace}/${pod.metadata?.name}`),
        expected,
      );
    });
  }

  it('selects events by involvedObject fields, in both event APIs', async () => {
    const byName = await cluster.core.listNamespacedEvent({
      namespace: 'alpha',
      fieldSelector: 'involvedObject.kind=Pod,involvedObject.name=db-0',
    });
    assert.deepEqual(names(byName), ['db-0.1']);
    assert.equal(byName.items[0]?.message, '0/2 nodes are available');
    const byUid = await cluster.core.listEventForAllNamespaces({ fieldSelector: 'involvedObject.uid=uid-web-1' });
    assert.deepEqual(names(byUid), ['web-1.2'], 'an events.k8s.io/v1 event is also served as a core event');
    assert.equal(byUid.items[0]?.message, 'Container image already present');
    const byNamespace = await cluster.core.listNamespacedEvent({
      namespace: 'alpha',
      fieldSelector: 'involvedObject.namespace=alpha,reason=FailedScheduling',
    });
    assert.deepEqual(names(byNamespace), ['db-0.1']);
    const modern = await cluster.events.listNamespacedEvent({
      namespace: 'alpha',
      fieldSelector: 'regarding.name=db-0',
    });
    assert.equal(modern.items[0]?.note, '0/2 nodes are available', 'a core event is also served as events.k8s.io/v1');
  });

  it('refuses an unknown field selector with 400 BadRequest like the real server', async () => {
    const { code, body } = await rejection(
      cluster.core.listNamespacedPod({ namespace: 'alpha', fieldSelector: 'spec.image=x' }),
    );
    assert.equal(code, 400);
    assert.equal(body.reason, 'BadRequest');
    assert.equal(body.message, 'field label not supported: spec.image');
  });

  it('pages with limit and an opaque continue token', async () => {
    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = await cluster.core.listPodForAllNamespaces({ limit: 2, _continue: token });
      seen.push(...page.items.map((pod) => `${pod.metadata?.namespace}/${pod.metadata?.name}`));
      token = page.metadata?._continue;
      if (token) assert.equal(page.metadata?.remainingItemCount, 7 - seen.length);
      pages += 1;
    } while (token);
    assert.equal(pages, 4);
    assert.deepEqual(seen, ALL_PODS);
    const selected = await cluster.core.listNamespacedPod({ namespace: 'alpha', labelSelector: 'app=web', limit: 1 });
    assert.deepEqual(names(selected), ['web-1']);
    const rest = await cluster.core.listNamespacedPod({
      namespace: 'alpha',
      labelSelector: 'app=web',
      limit: 1,
      _continue: selected.metadata?._continue,
    });
    assert.deepEqual(names(rest), ['web-2']);
    assert.equal(rest.metadata?._continue, undefined);
    const bad = await rejection(cluster.core.listNamespacedPod({ namespace: 'alpha', _continue: 'not-a-token' }));
    assert.equal(bad.code, 400);
  });

  it('serves custom resources under their group, with the default and the annotated plural', async () => {
    const chaos = (await cluster.custom.listNamespacedCustomObject({
      group: 'chaos-mesh.org',
      version: 'v1alpha1',
      namespace: 'alpha',
      plural: 'podchaoss',
    })) as { kind: string; items: { metadata: { name: string } }[] };
    assert.equal(chaos.kind, 'PodChaosList');
    assert.deepEqual(
      chaos.items.map((item) => item.metadata.name),
      ['kill-web'],
    );
    const one = (await cluster.custom.getNamespacedCustomObject({
      group: 'chaos-mesh.org',
      version: 'v1alpha1',
      namespace: 'alpha',
      plural: 'podchaoss',
      name: 'kill-web',
    })) as { spec: { action: string } };
    assert.equal(one.spec.action, 'pod-kill');
    const cactus = (await cluster.custom.getClusterCustomObject({
      group: 'example.io',
      version: 'v1',
      plural: 'cacti',
      name: 'prickly',
    })) as { spec: { spines: number } };
    assert.equal(cactus.spec.spines, 12);
    const missing = await rejection(
      cluster.custom.getClusterCustomObject({ group: 'example.io', version: 'v1', plural: 'cacti', name: 'smooth' }),
    );
    assert.equal(missing.code, 404);
    assert.equal(missing.body.message, 'cacti.example.io "smooth" not found');
  });

  it('reads any kind through KubernetesObjectApi, which resolves resources by discovery', async () => {
    const deployment = await cluster.objects.read({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', namespace: 'alpha' },
    });
    assert.equal(deployment.metadata?.uid, 'dep-web');
    const chaos = await cluster.objects.list('chaos-mesh.org/v1alpha1', 'PodChaos', 'alpha');
    assert.deepEqual(
      chaos.items.map((item) => item.metadata?.name),
      ['kill-web'],
    );
  });
});

describe('simulated API server: discovery', () => {
  const get = async (path: string) => {
    const response = await fetch(`${cluster.server.url}${path}`);
    assert.equal(response.headers.get('content-type'), 'application/json');
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  type Resource = { name: string; kind: string; namespaced: boolean; verbs: string[] };

  it('lists the core version and the core resources with their subresources', async () => {
    assert.deepEqual((await get('/api')).body.versions, ['v1']);
    const core = (await get('/api/v1')).body as { kind: string; groupVersion: string; resources: Resource[] };
    assert.equal(core.kind, 'APIResourceList');
    assert.equal(core.groupVersion, 'v1');
    const byName = new Map(core.resources.map((resource) => [resource.name, resource]));
    assert.deepEqual(
      ['pods', 'pods/log', 'nodes', 'namespaces', 'configmaps', 'secrets', 'events', 'persistentvolumes'].filter(
        (name) => !byName.has(name),
      ),
      [],
    );
    assert.equal(byName.get('pods')?.namespaced, true);
    assert.equal(byName.get('nodes')?.namespaced, false);
    assert.ok(byName.get('pods')?.verbs.includes('list'));
  });

  it('lists the groups, standard and custom, and each group version with its resources', async () => {
    const groups = (await get('/apis')).body as {
      kind: string;
      groups: { name: string; preferredVersion: { groupVersion: string } }[];
    };
    assert.equal(groups.kind, 'APIGroupList');
    const names = groups.groups.map((group) => group.name);
    for (const name of [
      'apps',
      'batch',
      'networking.k8s.io',
      'autoscaling',
      'policy',
      'storage.k8s.io',
      'chaos-mesh.org',
      'example.io',
    ]) {
      assert.ok(names.includes(name), name);
    }
    const apps = (await get('/apis/apps/v1')).body as { resources: Resource[] };
    const scale = apps.resources.find((resource) => resource.name === 'deployments/scale');
    assert.equal(scale?.kind, 'Scale');
    const chaos = (await get('/apis/chaos-mesh.org/v1alpha1')).body as { resources: Resource[] };
    assert.deepEqual(
      chaos.resources.map((resource) => [resource.name, resource.kind, resource.namespaced]),
      [['podchaoss', 'PodChaos', true]],
    );
    const cacti = (await get('/apis/example.io/v1')).body as { resources: Resource[] };
    assert.deepEqual(
      cacti.resources.map((resource) => [resource.name, resource.namespaced]),
      [['cacti', false]],
    );
    assert.equal((await get('/apis/example.io')).body.kind, 'APIGroup');
    const autoscaling = (await get('/apis/autoscaling')).body as { versions: { version: string }[] };
    assert.deepEqual(
      autoscaling.versions.map((entry) => entry.version),
      ['v2', 'v1'],
    );
    const unknown = await get('/apis/nothing.io/v1');
    assert.equal(unknown.status, 404);
    assert.equal(unknown.body.kind, 'Status');
  });

  it('answers GET /apis with aggregated discovery when the client offers it: every group, its resources, kinds and scope', async () => {
    const response = await fetch(`${cluster.server.url}/apis`, {
      headers: {
        Accept: 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;q=0.9',
      },
    });
    assert.equal(
      response.headers.get('content-type'),
      'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList',
    );
    const list = (await response.json()) as {
      kind: string;
      items: {
        metadata: { name: string };
        versions: {
          version: string;
          resources: { resource: string; responseKind: { kind: string }; scope: string }[];
        }[];
      }[];
    };
    assert.equal(list.kind, 'APIGroupDiscoveryList');
    const resources = (group: string) =>
      list.items
        .find((item) => item.metadata.name === group)
        ?.versions[0]?.resources.map((r) => [r.resource, r.responseKind.kind, r.scope]);
    assert.deepEqual(resources('chaos-mesh.org'), [['podchaoss', 'PodChaos', 'Namespaced']]);
    assert.deepEqual(resources('example.io'), [['cacti', 'Cactus', 'Cluster']]);
    assert.ok(resources('apps')?.some(([plural]) => plural === 'deployments'));
  });
});

describe('simulated API server: server-side printing for kubectl get', () => {
  it('answers a meta.k8s.io Table when asked for one, with the pod columns kubectl shows', async () => {
    const response = await fetch(`${cluster.server.url}/api/v1/namespaces/alpha/pods?labelSelector=app%3Dworker`, {
      headers: { accept: 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json' },
    });
    const body = (await response.json()) as {
      kind: string;
      columnDefinitions: { name: string }[];
      rows: { cells: unknown[]; object: { metadata: { namespace: string } } }[];
    };
    assert.equal(body.kind, 'Table');
    assert.deepEqual(
      body.columnDefinitions.map((column) => column.name),
      ['Name', 'Ready', 'Status', 'Restarts', 'Age'],
    );
    assert.deepEqual(body.rows[0]?.cells.slice(0, 4), ['worker-1', '0/2', 'Running', 3]);
    assert.equal(body.rows[0]?.object.metadata.namespace, 'alpha');
  });
});
