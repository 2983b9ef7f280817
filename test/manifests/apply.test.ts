import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type KubeApiServer, startKubeApiServer } from '../../src/simulation/kube-api/server.ts';
import { toKubeconfigYaml } from '../../src/simulation/kubeconfig.ts';
import { type CliRun, completion } from '../support/run-cli.ts';
import { type Overlay, renderOverlays } from './render.ts';

/** The cluster an operator installs into: the namespace exists, and so does the Prometheus Operator's CRD. */
const CLUSTER = [
  { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'incident-bot' } },
  {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: 'servicemonitors.monitoring.coreos.com' },
    spec: {
      group: 'monitoring.coreos.com',
      scope: 'Namespaced',
      names: { kind: 'ServiceMonitor', plural: 'servicemonitors', singular: 'servicemonitor', shortNames: ['smon'] },
      versions: [{ name: 'v1', served: true, storage: true }],
    },
  },
];

let server: KubeApiServer;
let dir: string;
let overlays: Overlay[];
before(async () => {
  [server, dir, overlays] = await Promise.all([
    startKubeApiServer({ objects: CLUSTER, now: new Date() }),
    mkdtemp(join(tmpdir(), 'manifests-apply-')),
    renderOverlays(),
  ]);
  await writeFile(join(dir, 'kubeconfig'), toKubeconfigYaml(server.url), { mode: 0o600 });
});
after(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

/** `kubectl apply --dry-run=server -f -` with the rendered overlay on stdin. */
function kubectlApply(yaml: string): Promise<CliRun> {
  // The simulated server serves no OpenAPI documents, so kubectl's own schema check is off; the objects were checked
  // against the Kubernetes schemas in overlays.test.ts.
  const args = ['apply', '--dry-run=server', '--validate=false', '--cache-dir', join(dir, 'cache'), '-f', '-'];
  const child = spawn('kubectl', args, { env: { ...process.env, KUBECONFIG: join(dir, 'kubeconfig') } });
  child.stdin.end(yaml);
  return completion(child);
}

describe('manifests: kubectl apply --dry-run=server of every overlay to the simulated API server', () => {
  it('accepts every object of every overlay and stores none of them', async () => {
    assert.ok(overlays.length > 0);
    for (const overlay of overlays) {
      const { code, stdout, stderr } = await kubectlApply(overlay.yaml);
      assert.equal(code, 0, `${overlay.name}: ${stderr}`);
      const applied = stdout.split('\n').filter((line) => line.endsWith('(server dry run)'));
      assert.equal(applied.length, overlay.objects.length, `${overlay.name}:\n${stdout}`);
      for (const object of overlay.objects) {
        const kind = object.kind.toLowerCase();
        assert.ok(
          applied.some((line) => line.startsWith(`${kind}`) && line.includes(`/${object.metadata.name} `)),
          `${overlay.name}: ${object.kind} ${object.metadata.name} not applied:\n${stdout}`,
        );
      }
    }
    const writes = server.requests().filter((request) => request.method !== 'GET');
    assert.ok(writes.length > 0);
    assert.deepEqual(
      writes.filter((request) => request.query.dryRun !== 'All'),
      [],
      'every write was a dry run',
    );
    const deployments = (await (
      await fetch(`${server.url}/apis/apps/v1/namespaces/incident-bot/deployments`)
    ).json()) as {
      items: unknown[];
    };
    assert.deepEqual(deployments.items, []);
  });
});
