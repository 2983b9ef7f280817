import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Approval, Plan } from '../../src/generated/prisma/client.ts';
import type { PlanSpec } from '../../src/remediation/plan-spec.ts';
import { APPROVE_ACTION_ID, planBlocks, REJECT_ACTION_ID } from '../../src/slack/plan-message.ts';

type Block = { type: string; block_id: string; text?: { text: string }; elements?: Record<string, unknown>[] };

const spec: PlanSpec = {
  action: { type: 'rollout-undo', namespace: 'ns', name: 'api', toRevision: 1 },
  summary: `Roll back api to revision 1 ${'because '.repeat(40)}`,
  risk: 'high',
  riskReason: 'test',
  preconditions: [],
  changes: [],
  diff: Array.from({ length: 400 }, (_, i) => `+ spec.line${i}: value`).join('\n'),
  verification: [{ type: 'rollout-complete', ref: { kind: 'Deployment', namespace: 'ns', name: 'api' } }],
  rollback: 'Restore from snapshot.',
};

const plan = (status: Plan['status'], approvals: Partial<Approval>[] = []): Plan & { approvals: Approval[] } =>
  ({
    id: '6f1c1d1e-6a3b-4c55-9f8e-0a1b2c3d4e5f',
    incidentId: 'i',
    status,
    risk: 'high',
    summary: spec.summary,
    action: spec.action,
    spec,
    requestedBy: 'UREQ',
    requiredApprovals: 2,
    slackChannel: 'C1',
    slackThreadTs: '1.1',
    slackTs: '1.2',
    messageVersion: 1,
    snapshot: null,
    statusReason: null,
    createdAt: new Date(),
    expiresAt: new Date(Date.now() + 60_000),
    decidedAt: null,
    startedAt: null,
    finishedAt: null,
    updatedAt: new Date(),
    approvals: approvals.map((a) => ({ id: 'a', planId: 'p', reason: null, createdAt: new Date(), ...a }) as Approval),
  }) as unknown as Plan & { approvals: Approval[] };

describe('plan message', () => {
  it('stays within Block Kit limits and cuts a long diff', () => {
    const { blocks } = planBlocks(plan('proposed'), 3) as { blocks: Block[] };
    for (const block of blocks) {
      assert.ok(block.block_id.length <= 255);
      if (block.text) assert.ok(block.text.text.length <= 3000, `${block.block_id} text too long`);
    }
    assert.match(blocks.find((b) => b.block_id.endsWith('diff'))?.text?.text ?? '', /diff cut/);
    const buttons = blocks.find((b) => b.type === 'actions')?.elements ?? [];
    assert.deepEqual(
      buttons.map((b) => [b.action_id, b.style]),
      [
        [APPROVE_ACTION_ID, 'primary'],
        [REJECT_ACTION_ID, 'danger'],
      ],
    );
    for (const button of buttons) {
      const confirm = button.confirm as { text: { text: string } };
      assert.ok(confirm.text.text.length <= 300);
      assert.ok(String(button.value).length <= 2000);
    }
  });

  it('uses new block_ids on every update and drops the buttons once decided', () => {
    const first = planBlocks(plan('proposed'), 1).blocks as Block[];
    const second = planBlocks(plan('rejected', [{ userId: 'U2', decision: 'reject', reason: 'not now' }]), 2)
      .blocks as Block[];
    const ids = new Set(first.map((b) => b.block_id));
    assert.ok(second.every((b) => !ids.has(b.block_id)));
    assert.equal(
      second.find((b) => b.type === 'actions'),
      undefined,
    );
    assert.match(second.map((b) => b.text?.text ?? '').join('\n'), /<@U2> rejected .*: not now/);
  });
});
