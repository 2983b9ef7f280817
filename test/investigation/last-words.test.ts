import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { replayScenarioFile } from './support/replay.ts';

// A crash-looping proxy says why it exits in its own words ([ALERT] … unknown keyword), none of them an error word:
// the previous instance's last lines are kept, and tie the crash to the ConfigMap it reads, edited just before.
test("a terminated container's last lines are read whatever words they use, and name the config that breaks it", async () => {
  const { result } = await replayScenarioFile(
    join(import.meta.dirname, '../fixtures/scenarios/vellum-previous-log-no-error-words.yaml'),
  );
  assert.deepEqual(result.rootCause, { kind: 'ConfigMap', namespace: 'vellum', name: 'gateway-cfg' });
  assert.equal(result.faultType, 'crashloop-bad-config');
  const evidence = result.hypotheses[0]?.evidence ?? [];
  assert.ok(evidence.some((e) => e.source === 'log' && /\(previous\).*\[ALERT\]/.test(e.text)));
});
