import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Timeline } from '../../src/audit/timeline.ts';
import { runCli, type Stack, startStack } from '../remediation/harness.ts';

const undo = { type: 'rollout-undo', namespace: 'shop', name: 'api', toRevision: 1 } as const;

let stack: Stack;
before(async () => {
  stack = await startStack({ verifyTimeoutSeconds: 3 });
});
after(() => stack.close());

test('audit timeline: the plan, who approved and when, execution and verification, as Markdown and JSON', async () => {
  const planId = await stack.propose(undo, 'Roll api back to revision 1');
  assert.equal(await stack.click(planId, 'UOUTSIDER', 'approve'), 200);
  assert.equal(await stack.click(planId, 'UALICE', 'approve'), 200);
  assert.equal((await stack.settled(planId)).status, 'succeeded');

  const markdown = await runCli(['audit', 'timeline', '--incident', stack.incidentId], stack.databaseUrl);
  assert.equal(markdown.code, 0, markdown.stderr);
  assert.match(markdown.stdout, /^# Timeline: /);
  assert.match(markdown.stdout, /Time to first hypothesis — · answer — · approval \d+s · resolution —\./);
  const rows = markdown.stdout.split('\n').filter((line) => /^\| \d\d:\d\d:\d\d /.test(line));
  const order = rows.map((row) => row.split(' | ')[2]);
  assert.deepEqual(order, [
    'Plan',
    'Decision', // the outsider's click, refused
    'Decision', // Alice's approval
    'Decision', // the plan approved
    'Execution', // started
    'Execution', // dry run
    'Execution', // applied
    'Verification',
    'Execution', // succeeded
  ]);
  assert.match(rows[0]!, /Plan proposed \(risk \w+, 1 approval needed\): Roll api back to revision 1/);
  assert.match(rows[1]!, /UOUTSIDER clicked approve; not counted \(not an approver\) \| slack:UOUTSIDER \|$/);
  assert.match(rows[2]!, /Approved by UALICE \| slack:UALICE \|$/);
  assert.match(rows[6]!, /Applied to Deployment shop\/api/);
  assert.match(rows[7]!, /Verification passed/);

  const json = await runCli(['audit', 'timeline', '--incident', stack.incidentId, '--json'], stack.databaseUrl);
  assert.equal(json.code, 0, json.stderr);
  const timeline = JSON.parse(json.stdout) as Timeline;
  assert.equal(timeline.incidentId, stack.incidentId);
  assert.equal(timeline.entries.length, rows.length);
  assert.deepEqual(
    timeline.entries.map((entry) => entry.kind),
    ['plan', 'decision', 'decision', 'decision', 'execution', 'execution', 'execution', 'verification', 'execution'],
  );
  assert.ok(timeline.durations.approvalMs !== null && timeline.durations.approvalMs >= 0);
  assert.equal(timeline.durations.resolutionMs, null);
});

test('audit timeline: an unknown incident is exit 1, a missing --incident a usage error', async () => {
  const unknown = await runCli(
    ['audit', 'timeline', '--incident', '00000000-0000-4000-8000-000000000000'],
    stack.databaseUrl,
  );
  assert.equal(unknown.code, 1);
  assert.match(unknown.stderr, /incident 00000000-0000-4000-8000-000000000000 not found/);
  const missing = await runCli(['audit', 'timeline'], stack.databaseUrl);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /timeline needs --incident ID/);
});
