import assert from 'node:assert/strict';
import { once } from 'node:events';
import { access, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, before, describe, it } from 'node:test';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { alertFromGroup } from '../../src/intake/alertmanager.ts';
import { runCli, startCli } from '../support/run-cli.ts';
import { NOW, SMALL_SCENARIO } from './small-scenario.ts';

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'simulate-test-'));
});
after(() => rm(dir, { recursive: true, force: true }));

describe('incident-bot simulate', () => {
  it('serves the scenario until SIGTERM and prints where', async () => {
    const file = join(dir, 'tiny.json');
    const kubeconfig = join(dir, 'kubeconfig.yaml');
    await writeFile(file, JSON.stringify(SMALL_SCENARIO));
    const child = startCli(['simulate', '--scenario', file, '--kubeconfig-out', kubeconfig, '--frozen']);
    let stderr = '';
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    try {
      const [line] = (await once(createInterface({ input: child.stdout }), 'line')) as [string];
      const ready = JSON.parse(line);
      assert.deepEqual(Object.keys(ready).sort(), [
        'alert',
        'kubeApi',
        'kubeconfig',
        'now',
        'prometheus',
        'shiftedSeconds',
      ]);
      assert.equal(ready.kubeconfig, kubeconfig);
      assert.equal(ready.now, NOW);
      assert.equal(ready.shiftedSeconds, 0);

      const config = new KubeConfig();
      config.loadFromFile(ready.kubeconfig);
      assert.equal(config.getCurrentCluster()?.server, ready.kubeApi);
      const pods = await config.makeApiClient(CoreV1Api).listNamespacedPod({ namespace: 'tiny' });
      assert.deepEqual(
        pods.items.map((pod) => pod.metadata?.name),
        ['web-0'],
      );

      const response = await fetch(`${ready.prometheus}/api/v1/query?query=kube_pod_container_status_ready`);
      const body = (await response.json()) as { data: { result: { value: [number, string] }[] } };
      assert.deepEqual(body.data.result[0]?.value, [1767268800, '0']);

      // The live-cluster path of investigate, pointed at the simulated one.
      const live = await runCli([
        'investigate',
        '--kubeconfig',
        ready.kubeconfig,
        '--prometheus',
        ready.prometheus,
        '--namespace',
        'tiny',
        '--json',
      ]);
      assert.equal(live.code, 0, live.stderr);
      const summary = JSON.parse(live.stdout);
      assert.equal(summary.requests, null);
      assert.ok(Array.isArray(summary.hypotheses));
    } finally {
      child.kill('SIGTERM');
    }
    const [code] = await once(child, 'close');
    assert.equal(code, 0, stderr);
  });

  it('presents the incident as happening now: every time moved by one offset, the alert ready to send', async () => {
    const file = join(dir, 'tiny-now.json');
    const alertFile = join(dir, 'alert.json');
    await writeFile(file, JSON.stringify(SMALL_SCENARIO));
    const startedAt = Date.now();
    const child = startCli(['simulate', '--scenario', file, '--alert-out', alertFile]);
    try {
      const [line] = (await once(createInterface({ input: child.stdout }), 'line')) as [string];
      const ready = JSON.parse(line);
      const shift = ready.shiftedSeconds as number;
      assert.equal(Date.parse(ready.now), Date.parse(NOW) + shift * 1000);
      // The scenario's clock lands on the wall clock when simulate started (to the second it rounds to).
      assert.ok(Math.abs(Date.parse(ready.now) - startedAt) < 60_000, `now ${ready.now}`);

      const config = new KubeConfig();
      config.loadFromFile(ready.kubeconfig);
      const pod = await config.makeApiClient(CoreV1Api).readNamespacedPod({ name: 'web-0', namespace: 'tiny' });
      const created = Date.parse('2026-01-01T11:50:00Z') + shift * 1000;
      assert.equal(pod.metadata?.creationTimestamp?.getTime(), created);

      const response = await fetch(`${ready.prometheus}/api/v1/query?query=kube_pod_container_status_ready`);
      const body = (await response.json()) as { data: { result: { value: [number, string] }[] } };
      assert.deepEqual(body.data.result[0]?.value, [1767268800 + shift, '0']);

      assert.equal(ready.alert, alertFile);
      const alert = alertFromGroup(JSON.parse(await readFile(alertFile, 'utf8')));
      assert.equal(alert.title, SMALL_SCENARIO.alert.title);
      assert.deepEqual(alert.labels, SMALL_SCENARIO.alert.labels);
    } finally {
      child.kill('SIGTERM');
    }
    const [code] = await once(child, 'close');
    assert.equal(code, 0);
  });

  it('removes its temporary kubeconfig on exit', async () => {
    const file = join(dir, 'tiny.json');
    await writeFile(file, JSON.stringify(SMALL_SCENARIO));
    const child = startCli(['simulate', '--scenario', file]);
    const [line] = (await once(createInterface({ input: child.stdout }), 'line')) as [string];
    const { kubeconfig, alert } = JSON.parse(line);
    await access(kubeconfig);
    await access(alert);
    child.kill('SIGINT');
    const [code] = await once(child, 'close');
    assert.equal(code, 0);
    await assert.rejects(access(kubeconfig));
    await assert.rejects(access(alert));
  });
});
