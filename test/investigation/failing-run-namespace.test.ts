import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { replayScenarioFile } from './support/replay.ts';

// An alert about a batch output that names no namespace: the failing Job pods the cluster lists stand for the CronJob
// that scheduled them (Jobs are named <cronjob>-<scheduled minute>), whose name carries the alert's words.
test("a failing run's CronJob name locates the namespace of an alert about its missing output", async () => {
  const { result } = await replayScenarioFile(
    join(import.meta.dirname, '../fixtures/scenarios/osprey-failing-run-names-namespace.yaml'),
  );
  assert.deepEqual(result.rootCause, { kind: 'CronJob', namespace: 'billing', name: 'payout-export' });
  assert.equal(result.faultType, 'job-failure');
  assert.ok(result.assumptions.some((a) => /^namespace billing: it holds payout-export/.test(a)));
});
