import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { rejection, startTestCluster, type TestCluster } from './kube-cluster.ts';

let cluster: TestCluster;
before(async () => {
  cluster = await startTestCluster();
});
after(() => cluster.server.close());

const podNames = (list: { items: { metadata?: { name?: string } }[] }) => list.items.map((pod) => pod.metadata?.name);

const newPod = (name: string) => ({
  metadata: { name, namespace: 'alpha', labels: { app: 'web' } },
  spec: { containers: [{ name: 'main', image: 'registry.example/app:1' }] },
});

describe('simulated API server: paged lists as Kubernetes serves them, through @kubernetes/client-node', () => {
  it('answers every page of a list at its first page resourceVersion, whatever is written between pages', async () => {
    const first = await cluster.core.listNamespacedPod({ namespace: 'alpha', limit: 2 });
    assert.deepEqual(podNames(first), ['db-0', 'starting-1']);
    assert.equal(first.metadata?.remainingItemCount, 3);
    await cluster.core.createNamespacedPod({ namespace: 'alpha', body: newPod('web-0') });
    await cluster.core.deleteNamespacedPod({ namespace: 'alpha', name: 'worker-1' });

    const second = await cluster.core.listNamespacedPod({
      namespace: 'alpha',
      limit: 2,
      _continue: first.metadata?._continue,
    });
    const third = await cluster.core.listNamespacedPod({
      namespace: 'alpha',
      limit: 2,
      _continue: second.metadata?._continue,
    });
    assert.deepEqual([...podNames(second), ...podNames(third)], ['web-1', 'web-2', 'worker-1']);
    assert.equal(second.metadata?.resourceVersion, first.metadata?.resourceVersion);
    assert.equal(third.metadata?._continue, undefined);
    assert.equal(third.metadata?.remainingItemCount, undefined);

    const fresh = await cluster.core.listNamespacedPod({ namespace: 'alpha' });
    assert.deepEqual(podNames(fresh), ['db-0', 'starting-1', 'web-0', 'web-1', 'web-2']);
    assert.notEqual(fresh.metadata?.resourceVersion, first.metadata?.resourceVersion);
  });

  it('answers 410 Expired for a continue token older than a compaction, with a token for the rest as it is now', async () => {
    const first = await cluster.core.listNamespacedPod({ namespace: 'alpha', limit: 2 });
    await cluster.core.createNamespacedPod({ namespace: 'alpha', body: newPod('web-3') });
    cluster.server.compact();

    const expired = await rejection(
      cluster.core.listNamespacedPod({ namespace: 'alpha', limit: 2, _continue: first.metadata?._continue }),
    );
    assert.equal(expired.code, 410);
    assert.equal(expired.body.reason, 'Expired');
    assert.match(String(expired.body.message), /continue parameter is too old/);
    const token = (expired.body.metadata as { continue?: string }).continue;
    assert.ok(token, 'the 410 carries a continue token');

    // The inconsistent continuation sees the pod created after the first page.
    const rest = await cluster.core.listNamespacedPod({ namespace: 'alpha', _continue: token });
    assert.deepEqual(podNames(rest), ['web-0', 'web-1', 'web-2', 'web-3']);
  });

  it('counts what is left only when the list is not filtered', async () => {
    const filtered = await cluster.core.listNamespacedPod({ namespace: 'alpha', labelSelector: 'app=web', limit: 1 });
    assert.ok(filtered.metadata?._continue);
    assert.equal(filtered.metadata?.remainingItemCount, undefined);
  });
});
