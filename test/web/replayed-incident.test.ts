import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { loadScenario, type Scenario } from '../../src/simulation/scenario.ts';
import { type Harness, isAnswer, isFinding, pagerDutyEvent, startClusterHarness } from './harness.ts';

// A bundled scenario replayed through the production path: signed webhook → queue → worker → engine → Slack.
const SCENARIO = new URL('../../scenarios/demo/boutique-redis-oom.json', import.meta.url).pathname;

let scenario: Scenario;
let h: Harness;
before(async () => {
  scenario = await loadScenario(SCENARIO);
  h = await startClusterHarness(scenario);
});
after(() => h.close());

test('a PagerDuty incident on a replayed scenario ends with an answer naming the ground-truth root cause', async () => {
  const response = await h.postPagerDuty(
    pagerDutyEvent('incident.triggered', { id: 'PREPLAY', title: scenario.alert.title }),
  );
  assert.equal(response.status, 202);
  const { incidentId } = (await response.json()) as { incidentId: string };

  await h.slack.waitFor((slack) => slack.rootMessages().length === 1, 60_000);
  const threadTs = String(h.slack.rootMessages()[0]?.response?.ts);
  await h.slack.waitFor((slack) => slack.replies(threadTs).some(isAnswer), 60_000);
  const incident = await h.database.db.incident.findUniqueOrThrow({ where: { id: incidentId } });
  assert.equal(incident.slackThreadTs, threadTs);

  const replies = h.slack.replies(threadTs);
  const answerIndex = replies.findIndex(isAnswer);
  const answer = JSON.stringify(replies[answerIndex]?.args.blocks);
  const named = scenario.groundTruth.rootCause.some((ref) => answer.includes(ref.name) && answer.includes(ref.kind));
  assert.ok(
    named,
    `the answer names one of ${JSON.stringify(scenario.groundTruth.rootCause)}: ${answer.slice(0, 400)}`,
  );

  const findingIndexes = replies.flatMap((call, index) => (isFinding(call) ? [index] : []));
  assert.ok(findingIndexes.length >= 1, 'a running hypothesis was posted in the thread');
  assert.ok(
    findingIndexes.every((index) => index < answerIndex),
    'hypotheses come before the final answer',
  );
});
