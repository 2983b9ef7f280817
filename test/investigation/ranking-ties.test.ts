import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { refKey } from '../../src/investigation/model.ts';
import { replayScenarioFile } from './support/replay.ts';

const FIXTURE = join(import.meta.dirname, '../fixtures/scenarios/saffron-fresh-failure-over-old-one-off.yaml');

test('two findings of equal score: the change nearest the incident answers, and the runner-up is not shown likelier', async () => {
  const { result } = await replayScenarioFile(FIXTURE);
  assert.equal(result.rootCause && refKey(result.rootCause), 'CronJob/saffron/tally-export');
  const [answer, ...alternatives] = result.hypotheses;
  assert.ok(answer && alternatives.length > 0, 'the old one-off Job is named as an alternative');
  assert.equal(refKey(alternatives[0]!.entity), 'Job/saffron/backfill-accounts');
  for (const alternative of alternatives) assert.ok(alternative.confidence <= answer.confidence, alternative.summary);
});
