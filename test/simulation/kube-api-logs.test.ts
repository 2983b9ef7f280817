import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { rejection, startTestCluster, type TestCluster } from './kube-cluster.ts';

let cluster: TestCluster;
before(async () => {
  cluster = await startTestCluster();
});
after(() => cluster.server.close());

const log = (options: Record<string, unknown>) =>
  cluster.core.readNamespacedPodLog({ name: 'web-1', namespace: 'alpha', ...options });

describe('simulated API server: pod logs', () => {
  it('answers text/plain with timestamps stripped, one line per line', async () => {
    const response = await fetch(`${cluster.server.url}/api/v1/namespaces/alpha/pods/web-1/log`);
    assert.equal(response.headers.get('content-type'), 'text/plain');
    assert.equal(
      await response.text(),
      'starting\nlistening on :8080\n  continuation without a timestamp\nGET / 200\n',
    );
  });

  it('keeps the timestamps when asked', async () => {
    assert.equal(
      await log({ timestamps: true, tailLines: 2 }),
      '  continuation without a timestamp\n2026-03-01T11:59:30Z GET / 200\n',
    );
  });

  it('tails the last lines', async () => {
    assert.equal(await log({ tailLines: 1 }), 'GET / 200\n');
    assert.equal(await log({ tailLines: 0 }), '');
  });

  it('counts sinceSeconds from the scenario clock, not the wall clock', async () => {
    // now is 12:00:00; 150 s back is 11:57:30. The untimed line belongs to the 11:58 line before it.
    assert.equal(
      await log({ sinceSeconds: 150 }),
      'listening on :8080\n  continuation without a timestamp\nGET / 200\n',
    );
  });

  it('honours sinceTime (kubectl --since-time; the generated client has no parameter for it)', async () => {
    const response = await fetch(
      `${cluster.server.url}/api/v1/namespaces/alpha/pods/web-1/log?sinceTime=2026-03-01T11:59:00Z&timestamps=true`,
    );
    assert.equal(await response.text(), '2026-03-01T11:59:30Z GET / 200\n');
  });

  it('cuts at limitBytes', async () => {
    assert.equal(await log({ limitBytes: 5 }), 'start');
  });

  it('needs the container of a pod with several and serves the one named, init containers included', async () => {
    const { code, body } = await rejection(cluster.core.readNamespacedPodLog({ name: 'worker-1', namespace: 'alpha' }));
    assert.equal(code, 400);
    assert.equal(body.reason, 'BadRequest');
    assert.equal(
      body.message,
      'a container name must be specified for pod worker-1, choose one of: [main sidecar] or one of the init containers: [setup]',
    );
    assert.equal(
      await cluster.core.readNamespacedPodLog({ name: 'worker-1', namespace: 'alpha', container: 'main' }),
      'working\n',
    );
    assert.equal(
      await cluster.core.readNamespacedPodLog({ name: 'worker-1', namespace: 'alpha', container: 'setup' }),
      'init done\n',
    );
    const wrong = await rejection(
      cluster.core.readNamespacedPodLog({ name: 'worker-1', namespace: 'alpha', container: 'nope' }),
    );
    assert.equal(wrong.code, 400);
    assert.equal(wrong.body.message, 'container nope is not valid for pod worker-1');
  });

  it('serves the previous instance, and refuses it when none terminated', async () => {
    assert.equal(
      await cluster.core.readNamespacedPodLog({
        name: 'worker-1',
        namespace: 'alpha',
        container: 'main',
        previous: true,
      }),
      'out of memory\n',
    );
    const { code, body } = await rejection(log({ previous: true }));
    assert.equal(code, 400);
    assert.equal(body.message, 'previous terminated container "app" in pod "web-1" not found');
  });

  it('serves the terminated instance as the current log while the container waits in a crash loop', async () => {
    const current = await cluster.core.readNamespacedPodLog({ name: 'crasher-1', namespace: 'beta' });
    assert.equal(current, 'fatal: cannot parse config\n');
  });

  it('answers an empty log for a container without entries, and 400 while it waits to start', async () => {
    assert.equal(
      await cluster.core.readNamespacedPodLog({ name: 'worker-1', namespace: 'alpha', container: 'sidecar' }),
      '',
    );
    const waiting = await rejection(cluster.core.readNamespacedPodLog({ name: 'starting-1', namespace: 'alpha' }));
    assert.equal(waiting.code, 400);
    assert.equal(waiting.body.message, 'container "app" in pod "starting-1" is waiting to start: ImagePullBackOff');
  });

  it('answers 404 for an unknown pod', async () => {
    const { code, body } = await rejection(cluster.core.readNamespacedPodLog({ name: 'ghost', namespace: 'alpha' }));
    assert.equal(code, 404);
    assert.equal(body.message, 'pods "ghost" not found');
  });
});
