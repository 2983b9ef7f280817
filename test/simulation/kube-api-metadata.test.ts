import assert from 'node:assert/strict';
import { type ConfigurationOptions, Observable, type ObservableMiddleware } from '@kubernetes/client-node';
import { after, before, describe, it } from 'node:test';
import { listKind } from '../../src/investigation/tools/kinds.ts';
import { simulationKubeConfig } from '../../src/simulation/kubeconfig.ts';
import { rejection, startTestCluster, type TestCluster } from './kube-cluster.ts';

let cluster: TestCluster;
before(async () => {
  cluster = await startTestCluster();
});
after(() => cluster.server.close());

/** Per-request client-node options sending `accept`. */
const accepting = (accept: string): ConfigurationOptions => ({
  middleware: [
    {
      pre: (context) => {
        context.setHeaderParam('Accept', accept);
        return new Observable(Promise.resolve(context));
      },
      post: (response) => new Observable(Promise.resolve(response)),
    } satisfies ObservableMiddleware,
  ],
  middlewareMergeStrategy: 'append',
});

const METADATA_LIST = 'application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1';
const METADATA = 'application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1';

describe('simulated API server: metadata-only and cached reads as Kubernetes serves them, through @kubernetes/client-node', () => {
  it('answers a PartialObjectMetadataList: metadata only, paged like the full list', async () => {
    const first = await cluster.core.listNamespacedPod({ namespace: 'alpha', limit: 2 }, accepting(METADATA_LIST));
    assert.deepEqual(
      first.items.map((pod) => [pod.kind, pod.apiVersion, pod.metadata?.name]),
      [
        ['PartialObjectMetadata', 'meta.k8s.io/v1', 'db-0'],
        ['PartialObjectMetadata', 'meta.k8s.io/v1', 'starting-1'],
      ],
    );
    assert.ok(first.items.every((pod) => pod.spec === undefined && pod.status === undefined));
    assert.ok(first.metadata?._continue, 'a continue token');
    assert.equal(first.metadata?.remainingItemCount, 3);
    const rest = await cluster.core.listNamespacedPod(
      { namespace: 'alpha', limit: 10, _continue: first.metadata?._continue },
      accepting(METADATA_LIST),
    );
    assert.deepEqual(
      rest.items.map((pod) => pod.metadata?.name),
      ['web-1', 'web-2', 'worker-1'],
    );
    assert.deepEqual(rest.items[0]?.metadata?.labels, { app: 'web', tier: 'front', track: 'stable' });
  });

  it('answers one object as PartialObjectMetadata, and 406 when a list is asked as a single object', async () => {
    const pod = await cluster.core.readNamespacedPod({ namespace: 'alpha', name: 'web-1' }, accepting(METADATA));
    assert.equal(pod.kind, 'PartialObjectMetadata');
    assert.equal(pod.metadata?.uid, 'uid-web-1');
    assert.equal(pod.spec, undefined);
    const refused = await rejection(cluster.core.listNamespacedPod({ namespace: 'alpha' }, accepting(METADATA)));
    assert.equal(refused.code, 406);
    const fallback = await cluster.core.listNamespacedPod(
      { namespace: 'alpha' },
      accepting(`${METADATA},application/json`),
    );
    assert.equal(fallback.items[0]?.kind, 'Pod', 'the plain JSON offered after it');
  });

  it('answers resourceVersion=0 from the cache: the whole list whatever the limit; with a continue token it is 400', async () => {
    const whole = await cluster.core.listNamespacedPod({ namespace: 'alpha', limit: 1, resourceVersion: '0' });
    assert.equal(whole.items.length, 5);
    assert.equal(whole.metadata?._continue, undefined);
    const paged = await cluster.core.listNamespacedPod({ namespace: 'alpha', limit: 1 });
    const refused = await rejection(
      cluster.core.listNamespacedPod({
        namespace: 'alpha',
        limit: 1,
        resourceVersion: '0',
        _continue: paged.metadata?._continue,
      }),
    );
    assert.equal(refused.code, 400);
    assert.match(String(refused.body.message), /resource version is not allowed when using continue/);
  });

  it('the investigation lists Namespaces metadata-only from the cache, and still knows which exist', async () => {
    const before = cluster.server.requests().length;
    const namespaces = await listKind(simulationKubeConfig(cluster.server.url), 'Namespace', { limit: 1 });
    assert.deepEqual(
      namespaces.items.map((namespace) => [namespace.kind, namespace.metadata?.name, namespace.status]),
      [
        ['Namespace', 'alpha', undefined],
        ['Namespace', 'beta', undefined],
      ],
    );
    assert.equal(namespaces.complete, true);
    const sent = cluster.server.requests().slice(before);
    assert.equal(sent.length, 1, 'one request: the cache answers the whole list');
    assert.equal(sent[0]?.query.resourceVersion, '0');
  });
});
