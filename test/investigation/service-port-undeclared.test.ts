import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { replayScenarioFile } from './support/replay.ts';

// Kubernetes does not require containerPort declarations: a long-standing headless Service whose gossip port the pods
// do not declare is not evidence of a wrong targetPort while nothing was refused at that port.
test('an undeclared targetPort alone does not rival the real cause, nor is it reported as strong', async () => {
  const { result } = await replayScenarioFile(
    join(import.meta.dirname, '../fixtures/scenarios/ferry-heap-headless-peers.yaml'),
  );
  assert.deepEqual(result.rootCause, { kind: 'Deployment', namespace: 'ferry', name: 'fares' });
  assert.equal(result.faultType, 'oom-limit');
  assert.ok(result.confidence >= 0.8, `confidence ${result.confidence}`);
  const peers = result.hypotheses.find((h) => h.entity.name === 'fares-peers');
  assert.ok(!peers || peers.confidence < 0.5, `headless Service at ${peers?.confidence}`);
});
