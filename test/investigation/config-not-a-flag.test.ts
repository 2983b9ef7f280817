import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { replayScenarioFile } from './support/replay.ts';

// A ConfigMap unchanged for weeks is no switch because a key near a boolean is named by its reader's logs: a section
// key, or a config file, named after the program itself is in every line the program logs. The dependency down is the
// StatefulSet whose pods crash on a full disk, not the config file they read.
test('a down dependency is not blamed on its unchanged config file named after the program', async () => {
  const { result } = await replayScenarioFile(
    join(import.meta.dirname, '../fixtures/scenarios/meadow-journal-down-config-not-a-flag.yaml'),
  );
  assert.deepEqual(result.rootCause, { kind: 'StatefulSet', namespace: 'queueing', name: 'ledgerq' });
  assert.equal(result.faultType, 'dependency-down');
  assert.ok(
    !result.hypotheses.some((h) => h.entity.kind === 'ConfigMap'),
    JSON.stringify(result.hypotheses.map((h) => h.entity)),
  );
});
