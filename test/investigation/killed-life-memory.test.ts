import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { replayScenarioFile } from './support/replay.ts';

const fixture = (name: string) => join(import.meta.dirname, '../fixtures/scenarios', `${name}.json`);

// A container OOM-killed after hours alive and restarted within the window read: the window holds only the killed
// life's last minutes, so that life is read whole (capped) — a steady climb to an unchanged limit is a leak.
test('an instance killed after a day of climbing and restarted minutes ago is a leak', async () => {
  const { result, steps } = await replayScenarioFile(fixture('quillmoor-killed-after-a-day-of-climbing-is-a-leak'));
  assert.deepEqual(result.rootCause, { kind: 'Deployment', namespace: 'atelier', name: 'glyph-raster' });
  assert.equal(result.faultType, 'memory-leak');
  // The thread is told which span was read: the killed life too, not only this one's few minutes.
  const asked = steps.find((step) => step.startsWith('Querying the memory of'));
  assert.match(asked ?? 'no memory step', /over the life OOM-killed .* and this one/);
  assert.doesNotMatch(asked ?? '', /since it started/);
});

test('a StatefulSet member killed after hours of ten-minute samples climbing is a leak', async () => {
  const { result } = await replayScenarioFile(fixture('quillmoor-stateful-killed-after-hours-climbing-is-a-leak'));
  assert.deepEqual(result.rootCause, { kind: 'StatefulSet', namespace: 'ledgerline', name: 'tally-cache' });
  assert.equal(result.faultType, 'memory-leak');
});

// Read whole, a life spent flat just under the limit shows no climb: the limit is too low for the work.
test('an instance killed after hours flat under its limit stays a limit too low', async () => {
  const { result } = await replayScenarioFile(fixture('quillmoor-flat-under-limit-for-hours-is-no-leak'));
  assert.deepEqual(result.rootCause, { kind: 'Deployment', namespace: 'atelier', name: 'swatch-index' });
  assert.equal(result.faultType, 'oom-limit');
});
