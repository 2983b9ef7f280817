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

// The caller never names its callee (no env, no log line): the mesh's request metrics say who calls whom and with what
// answer, so the callee's refused calls out connect to the alerted caller; the mesh's ServiceEntries, read because a
// proxy refused a call, confirm no registered host covers the one called.
test('mesh request metrics connect a silent caller to the callee whose calls out the mesh refuses', async () => {
  const { result, requests } = await replayScenarioFile(
    join(import.meta.dirname, '../fixtures/scenarios/harbor-mesh-silent-caller-egress.json'),
  );
  assert.deepEqual(result.rootCause, { kind: 'Deployment', namespace: 'harbor', name: 'tariffs' });
  assert.equal(result.faultType, 'bad-env');
  assert.ok(result.confidence >= 0.8, `confidence ${result.confidence}`);
  const top = result.hypotheses[0];
  assert.ok(top?.path.some((ref) => ref.name === 'berth-gateway'));
  const evidence = top?.evidence.map((e) => e.text).join('\n') ?? '';
  assert.match(evidence, /request metrics: berth-gateway → tariffs answered 503/);
  assert.match(evidence, /no ServiceEntry registers rates\.tidewater-feed\.example\.net \(1 read\)/);
  assert.equal(requests.filter((request) => request.path.endsWith('/serviceentries')).length, 1);
});
