import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { SLACK_MODES } from '../support/slack-door.ts';
import { until } from '../support/until.ts';
import { type Stack, startStack } from './harness.ts';

const undo = { type: 'rollout-undo', namespace: 'shop', name: 'api', toRevision: 1 } as const;

// The plan buttons behave the same whichever way Slack reaches the bot. In Socket Mode the click is
// acknowledged before the listener has finished, so every effect is awaited rather than assumed.
for (const mode of SLACK_MODES) {
  describe(`plan buttons over ${mode === 'http' ? 'HTTP' : 'Socket Mode'}`, () => {
    let stack: Stack;
    beforeEach(async () => {
      stack = await startStack({ verifyTimeoutSeconds: 3, slackMode: mode });
    });
    afterEach(() => stack.close());

    it('Approve runs the plan: applied and verified', async () => {
      const planId = await stack.propose(undo, 'Roll api back to revision 1');
      assert.equal(await stack.click(planId, 'UALICE', 'approve'), 200);
      const plan = await stack.settled(planId, ['proposed', 'approved', 'executing']);
      assert.equal(plan.status, 'succeeded', plan.statusReason ?? '');
      assert.equal((await stack.executorWrites()).applied.length, 1);
    });

    it('Reject opens the reason modal; its submission rejects the plan and changes nothing', async () => {
      const planId = await stack.propose(undo);
      assert.equal(await stack.click(planId, 'UALICE', 'reject'), 200);
      const modal = await until('the reason modal', () => stack.slack.callsTo('views.open')[0]?.args);
      const privateMetadata = (modal.view as { private_metadata: string }).private_metadata;
      const status = await stack.submitRejectReason(privateMetadata, 'UALICE', 'hotfix instead');
      assert.equal(status, 200);
      const plan = await stack.settled(planId, ['proposed']);
      assert.equal(plan.status, 'rejected');
      await until('the plan message to say so', () =>
        stack.slack.callsTo('chat.update').some((call) => /rejected/.test(JSON.stringify(call.args.blocks))),
      );
      assert.deepEqual(await stack.executorWrites(), { dryRuns: [], applied: [] });
    });

    it('a click from someone who is not an approver is refused in an ephemeral message', async () => {
      const planId = await stack.propose(undo);
      assert.equal(await stack.click(planId, 'UMALLORY', 'approve'), 200);
      const refusal = await until('the ephemeral refusal', () =>
        stack.slack.callsTo('chat.postEphemeral').find((call) => call.args.user === 'UMALLORY'),
      );
      assert.match(String(refusal.args.text), /not an approver/);
      assert.equal((await stack.plan(planId)).status, 'proposed');
    });
  });
}
