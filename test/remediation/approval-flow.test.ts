import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { AppsV1Api, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import type { KubeObject } from '../../src/remediation/kube-objects.ts';
import { OTHER_MANAGER, REQUESTER, runCli, type Stack, startStack } from './harness.ts';
import { until } from '../support/until.ts';

const DEPLOYMENT = { kind: 'Deployment', namespace: 'shop', name: 'api' } as const;
const GOOD_IMAGE = 'registry.example.com/shop/api:1.4.2';
const BAD_IMAGE = 'registry.example.com/shop/api:1.5.0-typo';
const undo = { type: 'rollout-undo', namespace: 'shop', name: 'api', toRevision: 1 } as const;

const image = (deployment: KubeObject | null) =>
  (deployment?.spec as { template: { spec: { containers: { image: string }[] } } } | undefined)?.template.spec
    .containers[0]?.image;

const ready = (pod: KubeObject) =>
  ((pod.status as { conditions?: { type: string; status: string }[] }).conditions ?? []).some(
    (condition) => condition.type === 'Ready' && condition.status === 'True',
  );

type Block = { type: string; text?: { text: string }; elements?: { action_id?: string }[] };
/** The newest plan message as the channel shows it now (posted, then edited in place). */
const lastPlanMessage = (stack: Stack, planId = '[^:]+') => {
  const key = new RegExp(`:plan:${planId}$`);
  const plans = stack.slack
    .storedMessages()
    .filter((message) => key.test(String(message.metadata?.event_payload.message_key ?? '')));
  const blocks = (plans.at(-1)?.blocks ?? []) as Block[];
  return {
    text: blocks.map((block) => block.text?.text ?? '').join('\n'),
    buttons: blocks.some((b) => b.type === 'actions'),
  };
};
/** The plan's status changes before its message and thread catch up: wait for both to say `pattern`. */
const reported = (stack: Stack, pattern: RegExp, planId?: string) =>
  stack.slack.waitFor(
    () => pattern.test(lastPlanMessage(stack, planId).text) && pattern.test(threadText(stack)),
    5_000,
  );
const threadText = (stack: Stack) =>
  stack.slack
    .replies('1763000000.000100')
    .map((call) => String(call.args.text ?? ''))
    .join('\n');
const ephemeralsTo = (stack: Stack, user: string) =>
  stack.slack
    .callsTo('chat.postEphemeral')
    .filter((call) => call.args.user === user)
    .map((call) => String(call.args.text));

describe('remediation through Slack approvals', () => {
  let stack: Stack;
  beforeEach(async () => {
    stack = await startStack({ verifyTimeoutSeconds: 3 });
  });
  afterEach(() => stack.close());

  it('approve → dry run → apply → verify → thread updated', async () => {
    const planId = await stack.propose(undo, 'Roll api back to revision 1');
    const posted = stack.slack.callsTo('chat.postMessage').find((call) => call.args.thread_ts === '1763000000.000100');
    assert.match(JSON.stringify(posted?.args.blocks), /```\\n--- Deployment shop\/api/);

    assert.equal(await stack.click(planId, 'UALICE', 'approve'), 200);
    const plan = await stack.settled(planId);
    assert.equal(plan.status, 'succeeded', plan.statusReason ?? '');

    const { dryRuns, applied } = await stack.executorWrites();
    assert.deepEqual(
      dryRuns.map((r) => [r.method, r.path]),
      [['PATCH', '/apis/apps/v1/namespaces/shop/deployments/api']],
    );
    assert.deepEqual(
      applied.map((r) => [r.method, r.path]),
      [['PATCH', '/apis/apps/v1/namespaces/shop/deployments/api']],
    );
    const deployment = await stack.kube.read(DEPLOYMENT);
    assert.equal(image(deployment), GOOD_IMAGE);
    const pods = await stack.kube.list('Pod', 'shop', 'app=api');
    assert.equal(pods.length, 2);
    assert.ok(pods.every(ready), 'the replacement pods are ready');

    await reported(stack, /Applied and verified/);
    const message = lastPlanMessage(stack);
    assert.match(message.text, /Applied and verified/);
    assert.match(message.text, /<@UALICE> approved/);
    assert.equal(message.buttons, false);
    assert.ok(plan.snapshot, 'the last-known-good copy is kept on the plan');
    const actions = await stack.auditActions();
    for (const action of [
      'plan.proposed',
      'plan.approval',
      'plan.approved',
      'plan.dry_run',
      'plan.snapshot',
      'plan.apply',
      'plan.verify.passed',
      'plan.succeeded',
    ]) {
      assert.ok(actions.includes(action), `audit has ${action}`);
    }
  });

  it('two approvals at the same moment execute the plan once', async () => {
    const planId = await stack.propose(undo);
    await Promise.all([
      stack.click(planId, 'UALICE', 'approve'),
      stack.click(planId, 'UBOB', 'approve'),
      stack.click(planId, 'UALICE', 'approve'),
    ]);
    assert.equal((await stack.settled(planId)).status, 'succeeded');
    const { applied } = await stack.executorWrites();
    assert.equal(applied.length, 1);
    const actions = await stack.auditActions();
    assert.equal(actions.filter((action) => action === 'plan.execution.started').length, 1);
    assert.equal(actions.filter((action) => action === 'plan.approved').length, 1);
  });

  it('Slack failing while the plan runs does not fail the change', async () => {
    const planId = await stack.propose(undo);
    // The approval's own message update, then the executor's first one.
    stack.slack.failNext('chat.update', 'internal_error');
    stack.slack.failNext('chat.update', 'internal_error');
    await stack.click(planId, 'UALICE', 'approve');
    assert.equal((await stack.settled(planId)).status, 'succeeded');
    assert.equal(image(await stack.kube.read(DEPLOYMENT)), GOOD_IMAGE);
    assert.ok((await stack.auditActions()).includes('plan.notify.failed'));
    await reported(stack, /Applied and verified/);
  });

  it('a click from someone who is not an approver is refused and changes nothing', async () => {
    const planId = await stack.propose(undo);
    const updatesBefore = stack.slack.callsTo('chat.update').length;
    assert.equal(await stack.click(planId, 'UMALLORY', 'approve'), 200);
    assert.match(ephemeralsTo(stack, 'UMALLORY').join('\n'), /not an approver/);
    assert.equal((await stack.plan(planId)).status, 'proposed');
    assert.equal(await stack.db.approval.count(), 0);
    assert.equal(stack.slack.callsTo('chat.update').length, updatesBefore);
    assert.deepEqual(await stack.executorWrites(), { dryRuns: [], applied: [] });
    const refused = await stack.db.auditEvent.findFirst({ where: { action: 'plan.decision.refused' } });
    assert.equal(refused?.actor, 'slack:UMALLORY');
  });

  it('a high-risk plan waits for a second, distinct approver', async () => {
    const planId = await stack.propose({
      type: 'scale',
      kind: 'Deployment',
      namespace: 'shop',
      name: 'api',
      replicas: 0,
    });
    assert.equal((await stack.plan(planId)).requiredApprovals, 2);
    await stack.click(planId, REQUESTER, 'approve');
    await stack.click(planId, REQUESTER, 'approve');
    assert.equal((await stack.plan(planId)).status, 'proposed');
    assert.match(ephemeralsTo(stack, REQUESTER).join('\n'), /1 more approver/);
    assert.match(ephemeralsTo(stack, REQUESTER).join('\n'), /already recorded/);
    assert.match(lastPlanMessage(stack).text, /Needs 2 approval\(s\) \(1 so far\)/);
    assert.deepEqual(await stack.executorWrites(), { dryRuns: [], applied: [] });

    await stack.click(planId, 'UBOB', 'approve');
    assert.equal((await stack.settled(planId)).status, 'succeeded');
    const deployment = await stack.kube.read(DEPLOYMENT);
    assert.equal((deployment?.spec as { replicas: number } | undefined)?.replicas, 0);
  });

  it('a change that does not fix the fault fails verification and is rolled back', async () => {
    const planId = await stack.propose({ type: 'rollout-restart', kind: 'Deployment', namespace: 'shop', name: 'api' });
    await stack.click(planId, 'UALICE', 'approve');
    const plan = await stack.settled(planId);
    assert.equal(plan.status, 'rolled_back', plan.statusReason ?? '');
    const { applied } = await stack.executorWrites();
    assert.equal(applied.length, 2, 'the restart, then the rollback');
    assert.deepEqual(
      ((applied[1]?.body ?? []) as { op: string; path: string }[]).map((op) => [op.op, op.path]),
      [['remove', '/spec/template/metadata/annotations']],
    );
    const deployment = await stack.kube.read(DEPLOYMENT);
    assert.equal(
      (deployment?.spec as { template: { metadata: { annotations?: unknown } } } | undefined)?.template.metadata
        .annotations,
      undefined,
    );
    assert.equal(image(deployment), BAD_IMAGE);
    await reported(stack, /rolled back/i);
    assert.match(threadText(stack), /Verification did not pass.*Rolled back.*rollback verified/s);
    const actions = await stack.auditActions();
    assert.ok(actions.includes('plan.verify.failed') && actions.includes('plan.rollback.verified'));
  });

  it('a change the API server refuses in the dry run is never applied', async () => {
    const planId = await stack.propose({
      type: 'set-resources',
      kind: 'Deployment',
      namespace: 'shop',
      name: 'api',
      container: 'api',
      requests: { memory: '1Gi' },
    });
    await stack.click(planId, 'UALICE', 'approve');
    const plan = await stack.settled(planId);
    assert.equal(plan.status, 'failed');
    assert.match(plan.statusReason ?? '', /dry run refused Deployment shop\/api/);
    const { dryRuns, applied } = await stack.executorWrites();
    assert.equal(dryRuns.length, 1);
    assert.equal(applied.length, 0);
    await reported(stack, /dry run refused/);
  });

  it('restoring a Secret key never shows or records its value', async () => {
    const value = 'correct-horse-battery-staple';
    const encoded = Buffer.from(value).toString('base64');
    const old = Buffer.from('stale-password-1').toString('base64');
    const planId = await stack.propose({
      type: 'restore-config-key',
      kind: 'Secret',
      namespace: 'shop',
      name: 'api-credentials',
      key: 'password',
      value,
    });
    assert.equal((await stack.plan(planId)).requiredApprovals, 2, 'changing a credential is high risk');
    await stack.click(planId, 'UALICE', 'approve');
    await stack.click(planId, 'UBOB', 'approve');
    assert.equal((await stack.settled(planId)).status, 'succeeded');
    const secret = await stack.kube.read({ kind: 'Secret', namespace: 'shop', name: 'api-credentials' });
    assert.equal((secret?.data as Record<string, string> | undefined)?.password, encoded);

    const exported = await runCli(['audit', 'export', '--incident', stack.incidentId], stack.databaseUrl);
    assert.equal(exported.code, 0, exported.stderr);
    const audit = JSON.stringify(
      await stack.db.auditEvent.findMany({ select: { details: true, justification: true, target: true } }),
    );
    for (const [where, text] of [
      ['Slack', JSON.stringify(stack.slack.calls)],
      ['audit trail', audit],
      ['export', exported.stdout],
    ] as const) {
      for (const secretText of [value, encoded, old])
        assert.ok(!text.includes(secretText), `${where} shows a Secret value`);
    }
  });

  it('reject asks for a reason, records it and changes nothing', async () => {
    const planId = await stack.propose(undo);
    await stack.click(planId, 'UALICE', 'reject');
    const modal = stack.slack.callsTo('views.open')[0]?.args as {
      trigger_id: string;
      view: { private_metadata: string };
    };
    assert.equal(modal.trigger_id, 'trigger-UALICE');
    assert.equal((await stack.plan(planId)).status, 'proposed', 'nothing is decided until the modal is submitted');

    const status = await stack.submitRejectReason(
      modal.view.private_metadata,
      'UALICE',
      'a hotfix is going out instead',
    );
    assert.equal(status, 200);
    const plan = await stack.plan(planId);
    assert.equal(plan.status, 'rejected');
    assert.match(lastPlanMessage(stack).text, /<@UALICE> rejected .*a hotfix is going out instead/);
    assert.equal(lastPlanMessage(stack).buttons, false);
    assert.deepEqual(await stack.executorWrites(), { dryRuns: [], applied: [] });
    assert.equal(image(await stack.kube.read(DEPLOYMENT)), BAD_IMAGE);
  });

  it('a click that cannot be handled tells the clicker instead of doing nothing silently', async () => {
    const planId = await stack.propose(undo);
    stack.slack.failNext('views.open', 'expired_trigger_id');
    await stack.click(planId, 'UALICE', 'reject');
    const told = await until('the clicker told', () =>
      ephemeralsTo(stack, 'UALICE').find((text) => /Could not open the reject form/.test(text)),
    );
    assert.match(told, /expired_trigger_id/);
    assert.equal((await stack.plan(planId)).status, 'proposed');
  });

  it('an expired plan is refused with the reason', async () => {
    const planId = await stack.propose(undo, 'Roll back', 0);
    await stack.click(planId, 'UALICE', 'approve');
    assert.match(ephemeralsTo(stack, 'UALICE').join('\n'), /expired/);
    const plan = await stack.plan(planId);
    assert.equal(plan.status, 'expired');
    // The plan message's update is posted after the click's ephemeral answer; wait for it rather than race it.
    await stack.slack.waitFor(() => /Expired/.test(lastPlanMessage(stack).text), 5_000);
    assert.deepEqual(await stack.executorWrites(), { dryRuns: [], applied: [] });
  });

  it('a plan nobody approves in time loses its buttons', async () => {
    const planId = await stack.propose(undo, 'Roll back', 0);
    await stack.slack.waitFor(() => /Expired/.test(lastPlanMessage(stack).text), 5_000);
    assert.equal(lastPlanMessage(stack).buttons, false);
    assert.equal((await stack.plan(planId)).status, 'expired');
  });

  it('a plan whose target changed after it was made is stale: refused, with the reason in the thread', async () => {
    const planId = await stack.propose(undo);
    const apps = stack.sim.kubeConfig.makeApiClient(AppsV1Api);
    await apps.patchNamespacedDeployment(
      {
        name: 'api',
        namespace: 'shop',
        fieldManager: OTHER_MANAGER,
        body: [
          {
            op: 'replace',
            path: '/spec/template/spec/containers/0/image',
            value: 'registry.example.com/shop/api:1.5.1',
          },
        ],
      },
      setHeaderOptions('Content-Type', PatchStrategy.JsonPatch),
    );
    await stack.click(planId, 'UALICE', 'approve');
    const plan = await stack.settled(planId);
    assert.equal(plan.status, 'stale');
    await reported(stack, /Stale/i, planId);
    assert.match(threadText(stack), /not executed.*changed since it was proposed.*generation 2 → 3/s);
    assert.deepEqual(await stack.executorWrites(), { dryRuns: [], applied: [] });
    assert.equal(image(await stack.kube.read(DEPLOYMENT)), 'registry.example.com/shop/api:1.5.1');

    // …and the same action is proposed again, against the cluster as it is now.
    await stack.slack.waitFor(() => /A fresh plan/.test(threadText(stack)), 5_000);
    const fresh = await until('the fresh plan to be proposed', () =>
      stack.db.plan.findFirst({ where: { id: { not: planId } } }),
    );
    assert.equal(fresh.status, 'proposed');
    assert.match(JSON.stringify(fresh.spec), /"generation":3/);
    assert.match(JSON.stringify(fresh.spec), /api:1\.5\.1/, 'its diff starts from the image now running');
  });
});

describe('an API server that commits a write and never answers it', () => {
  let stack: Stack;
  beforeEach(async () => {
    // The second PATCH of the Deployment (after the dry run) is done but never answered.
    let patches = 0;
    stack = await startStack({
      verifyTimeoutSeconds: 3,
      requestTimeoutMs: 1_000,
      hold: ({ method, path }) =>
        method === 'PATCH' && path.endsWith('/deployments/api') && ++patches === 2
          ? new Promise<void>(() => undefined)
          : Promise.resolve(),
    });
  });
  afterEach(() => stack.close());

  it('the write is taken as possibly applied and rolled back with the rest', async () => {
    const planId = await stack.propose(undo, 'Roll api back to revision 1');
    await stack.click(planId, 'UALICE', 'approve');
    const plan = await stack.settled(planId);
    assert.equal(plan.status, 'rolled_back', plan.statusReason ?? '');
    assert.match(plan.statusReason ?? '', /no answer within 1 s.*may have been applied/);
    assert.equal(image(await stack.kube.read(DEPLOYMENT)), BAD_IMAGE, 'back at the snapshot the plan started from');
    const actions = await stack.auditActions();
    assert.ok(['plan.apply.failed', 'plan.rollback', 'plan.rollback.verified'].every((a) => actions.includes(a)));
    await reported(stack, /rolled back/i);
  });
});

describe('approvers from a Slack user group', () => {
  let stack: Stack;
  beforeEach(async () => {
    stack = await startStack({ usergroup: ['UCAROL'] });
  });
  afterEach(() => stack.close());

  it('resolves the group through usergroups.users.list', async () => {
    const planId = await stack.propose(undo);
    await stack.click(planId, 'UALICE', 'approve');
    assert.equal((await stack.plan(planId)).status, 'proposed', 'UALICE is not in the group');
    await stack.click(planId, 'UCAROL', 'approve');
    assert.equal((await stack.settled(planId)).status, 'succeeded');
    assert.ok(stack.slack.callsTo('usergroups.users.list').every((call) => call.args.usergroup === 'SAPPROVERS'));
  });
});

describe('a fix found on another scenario (the bundled demo)', () => {
  let stack: Stack;
  beforeEach(async () => {
    stack = await startStack({
      scenario: new URL('../../scenarios/demo/boutique-redis-oom.json', import.meta.url),
    });
  });
  afterEach(() => stack.close());

  it('raising the memory limit of an OOM-killed workload passes verification', async () => {
    const planId = await stack.propose({
      type: 'set-resources',
      kind: 'Deployment',
      namespace: 'boutique',
      name: 'redis-cart',
      container: 'redis',
      limits: { memory: '256Mi' },
    });
    await stack.click(planId, 'UALICE', 'approve');
    assert.equal((await stack.settled(planId)).status, 'succeeded');
  });
});
