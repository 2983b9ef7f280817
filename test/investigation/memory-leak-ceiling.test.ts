import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { replayScenarioFile } from './support/replay.ts';

// A heap ceiling above the limit is not a working set: a container killed after living hours, climbing again at a pace
// that reaches its limit within such a life, leaks (memory-leak), whatever little of the climb the window shows.
test('a slow climb past a heap ceiling set above the limit is a memory leak, not a limit set too low', async () => {
  const { result } = await replayScenarioFile(
    join(import.meta.dirname, '../fixtures/scenarios/heron-slow-leak-past-heap-ceiling.json'),
  );
  assert.deepEqual(result.rootCause, { kind: 'Deployment', namespace: 'charts', name: 'tile-render' });
  assert.equal(result.faultType, 'memory-leak');
  assert.match(result.summary, /within one container lifetime/);
});
