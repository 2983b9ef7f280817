import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { replayScenarioFile } from './support/replay.ts';

// Behind a mesh that only lets registered hosts out, the application logs its own failures vaguely; the proxy injected
// into its pods names the host it refused. The collector reads that proxy for a workload rolled out just before.
test('a rollout whose calls the mesh refuses is named from its proxy log, with the env it changed', async () => {
  const { result, requests } = await replayScenarioFile(
    join(import.meta.dirname, '../fixtures/scenarios/tickets-mesh-egress-after-rollout.json'),
  );
  assert.deepEqual(result.rootCause, { kind: 'Deployment', namespace: 'tickets', name: 'checkout' });
  assert.equal(result.faultType, 'bad-env');
  const evidence = result.hypotheses[0]?.evidence.map((e) => e.text).join('\n') ?? '';
  assert.match(evidence, /mesh-proxy: .*BlackHoleCluster.*fraud\.riskcheck\.example\.com/);
  assert.match(evidence, /FRAUD_CHECK_PROVIDER: "" → "remote"/);
  const proxyReads = requests.filter(
    (request) => request.path.endsWith('/log') && request.query?.container === 'mesh-proxy',
  );
  assert.equal(proxyReads.length, 1);
});
