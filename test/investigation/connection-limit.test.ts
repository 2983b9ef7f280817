import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { replayScenarioFile } from './support/replay.ts';

// Clients refused for lack of connection slots: the server is found through the connection URL its clients read from a
// Secret (only the in-cluster host of the value is kept), in another namespace, and named at the custom resource its
// operator generates its pods from, changed shortly before.
test('connection-slot refusals name the reconfigured database custom resource found through a Secret URL', async () => {
  const { result, requests } = await replayScenarioFile(
    join(import.meta.dirname, '../fixtures/scenarios/atoll-db-connection-slots.json'),
  );
  assert.deepEqual(result.rootCause, { kind: 'DbCluster', namespace: 'tides-data', name: 'tide-db' });
  assert.equal(result.faultType, 'other');
  const evidence = result.hypotheses[0]?.evidence.map((e) => e.text).join('\n') ?? '';
  assert.match(evidence, /from Secret chart-db-url names tide-db-rw\.tides-data\.svc:5432/);
  assert.match(evidence, /apply configuration changes/);
  assert.ok(requests.some((request) => request.path === '/api/v1/namespaces/tides-data/services'));
  // The Secret's value (its password) reaches nothing the investigation returns.
  assert.ok(!JSON.stringify(result).includes('Tr0ub4dor'));
});
