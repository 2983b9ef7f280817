import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { replayScenarioFile } from './support/replay.ts';

const FIXTURES = join(import.meta.dirname, '../fixtures/scenarios');

// The alerted scheduler is unready (503) and only its current log names the cache it cannot reach, in another
// namespace; the cache crash-loops, its readiness refused because nothing listens. A node reboot restarted every
// workload once: those lost containers' previous logs must not crowd out the alerted workload's current one.
test('a dependency down in another namespace is the answer, its unready callers its victims', async () => {
  const { result } = await replayScenarioFile(join(FIXTURES, 'sluice-cache-down-victim-readiness.yaml'));
  assert.deepEqual(result.rootCause, { kind: 'Deployment', namespace: 'gauge-cache', name: 'levels' });
  assert.equal(result.faultType, 'dependency-down');
  const victim = result.ruledOut.find((r) => r.entity.name === 'lock-scheduler' && r.entity.kind === 'Deployment');
  assert.match(victim?.reason ?? '', /consequence of Deployment levels/);
});

// The intake calls two namespaces, each named once per pod, and its errors name only a cluster IP: the budget reads one
// namespace in full, so the Endpoints of both are read first and the one whose called Service has no ready address wins.
test('of the namespaces the pods call, the one where a called Service has no ready address is read in full', async () => {
  const { result, requests } = await replayScenarioFile(join(FIXTURES, 'quarry-intake-two-peers-one-down.yaml'));
  assert.deepEqual(result.rootCause, { kind: 'Deployment', namespace: 'relay', name: 'bus' });
  assert.equal(result.faultType, 'dependency-down');
  const paths = requests.map((r) => r.path);
  // The called namespaces' Endpoints are probed in one list across namespaces (or one per namespace on a big cluster).
  assert.ok(paths.includes('/api/v1/endpoints') || paths.includes('/api/v1/namespaces/instruments/endpoints'));
  assert.ok(paths.includes('/api/v1/namespaces/relay/pods'));
  assert.ok(!paths.includes('/api/v1/namespaces/instruments/pods'));
});
