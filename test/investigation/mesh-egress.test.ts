import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { AlertSchema } from '../../src/alert/alert.ts';
import { MemoryAuditLog } from '../../src/audit/audit-log.ts';
import { investigate } from '../../src/investigation/engine.ts';
import { loadScenario } from '../../src/simulation/scenario.ts';
import { startSimulation } from '../../src/simulation/simulation.ts';

// Behind a mesh that only lets registered hosts out, the application logs its own failures vaguely; the proxy injected
// into its pods names the host it refused. The collector reads that proxy for a workload rolled out just before.
test('a rollout whose calls the mesh refuses is named from its proxy log, with the env it changed', async () => {
  const scenario = await loadScenario(
    join(import.meta.dirname, '../fixtures/scenarios/tickets-mesh-egress-after-rollout.json'),
  );
  const simulation = await startSimulation(scenario);
  try {
    const result = await investigate(AlertSchema.parse(scenario.alert), {
      kubeConfig: simulation.kubeConfig,
      prometheusUrl: simulation.prometheusUrl,
      audit: new MemoryAuditLog(),
      now: new Date(scenario.now),
    });
    assert.deepEqual(result.rootCause, { kind: 'Deployment', namespace: 'tickets', name: 'checkout' });
    assert.equal(result.faultType, 'bad-env');
    const evidence = result.hypotheses[0]?.evidence.map((e) => e.text).join('\n') ?? '';
    assert.match(evidence, /mesh-proxy: .*BlackHoleCluster.*fraud\.riskcheck\.example\.com/);
    assert.match(evidence, /FRAUD_CHECK_PROVIDER: "" → "remote"/);
    const proxyReads = simulation
      .requests()
      .filter((request) => request.path.endsWith('/log') && request.query?.container === 'mesh-proxy');
    assert.equal(proxyReads.length, 1);
  } finally {
    await simulation.close();
  }
});
