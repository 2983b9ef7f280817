import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { replayScenarioFile } from './support/replay.ts';

// A consumer that only stopped receiving logs old warnings of its own: a pointer no firmer than a healthy rollout, as
// good as nothing. The last look reads first what the symptom's own path calls (the broker's namespace), before what its
// neighbours call most, and there the devices' LoadBalancer Service of the broker, edited just before, sends the
// devices' port where nothing listens. Invented scenario, replayed through the simulated API server.
test('a weak lead leaves room for the last look, which reads what the symptom path calls first', async () => {
  const { result } = await replayScenarioFile(
    join(import.meta.dirname, '../fixtures/scenarios/quayside-gauges-device-port-edited.yaml'),
  );
  assert.deepEqual(result.rootCause, { kind: 'Service', namespace: 'quayside-bus', name: 'relay-gates' });
  assert.equal(result.faultType, 'service-port');
});
