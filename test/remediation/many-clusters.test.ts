import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { KubeObjects } from '../../src/remediation/kube-objects.ts';
import { type Stack, startStack } from './harness.ts';

const DEPLOYMENT = { kind: 'Deployment', namespace: 'shop', name: 'api' } as const;
const undo = { type: 'rollout-undo', namespace: 'shop', name: 'api', toRevision: 1 } as const;
const image = (deployment: Awaited<ReturnType<KubeObjects['read']>>) =>
  (deployment?.spec as { template: { spec: { containers: { image: string }[] } } } | undefined)?.template.spec
    .containers[0]?.image;
const writes = async (stack: Stack, sim: Stack['sim']) =>
  (await stack.requests(sim)).filter((request) => request.method !== 'GET');

let stack: Stack;
before(async () => {
  // Two clusters with the same broken rollout: the executor holds credentials for both. Verification passes as soon
  // as the pods are ready; the long timeout only keeps a busy machine from rolling the change back.
  stack = await startStack({ verifyTimeoutSeconds: 15, twoClusters: true });
});
after(() => stack.close());

test('a plan for cluster b is derived from b, says so, and changes b only', async () => {
  const simB = stack.simB!;
  const planId = await stack.propose(undo, 'Roll api back to revision 1', 30, 'b');
  const plan = await stack.plan(planId);
  assert.equal(plan.cluster, 'b');
  const message = stack.slack
    .callsTo('chat.postMessage')
    .find((call) => JSON.stringify(call.args.blocks).includes(planId));
  assert.match(JSON.stringify(message?.args.blocks), /\*Cluster:\* `b` \(the executor changes this cluster only\)/);
  const aBefore = image(await stack.kube.read(DEPLOYMENT));

  assert.equal(await stack.click(planId, 'UALICE', 'approve'), 200);
  const settled = await stack.settled(planId);
  assert.equal(settled.status, 'succeeded', settled.statusReason ?? '');

  const applied = (await writes(stack, simB)).filter((request) => request.query.dryRun !== 'All');
  assert.deepEqual(
    applied.map((request) => [request.method, request.path]),
    [['PATCH', '/apis/apps/v1/namespaces/shop/deployments/api']],
  );
  assert.equal(image(await new KubeObjects(simB.kubeConfig).read(DEPLOYMENT)), 'registry.example.com/shop/api:1.4.2');
  assert.deepEqual(await writes(stack, stack.sim), [], 'cluster a was not written to');
  assert.equal(image(await stack.kube.read(DEPLOYMENT)), aBefore);

  const events = await stack.db.auditEvent.findMany({ where: { target: `plan:${planId}` }, orderBy: { seq: 'asc' } });
  for (const action of ['plan.proposed', 'plan.execution.started', 'plan.succeeded'])
    assert.equal(
      (events.find((event) => event.action === action)?.details as { cluster?: string } | undefined)?.cluster,
      'b',
      `${action} names the cluster`,
    );
});

test('a plan for a cluster the executor has no credentials for fails without touching any cluster', async () => {
  // Proposed for a (still broken there), then — as a stale row or a hand edit might — naming a cluster not configured.
  const planId = await stack.propose(undo, 'Roll api back to revision 1', 30, 'a');
  await stack.db.plan.update({ where: { id: planId }, data: { cluster: 'c' } });
  const before = (await writes(stack, stack.sim)).length + (await writes(stack, stack.simB!)).length;
  await stack.click(planId, 'UALICE', 'approve');
  const settled = await stack.settled(planId);
  assert.equal(settled.status, 'failed');
  assert.match(settled.statusReason ?? '', /No executor credentials for cluster c/);
  assert.equal((await writes(stack, stack.sim)).length + (await writes(stack, stack.simB!)).length, before);
});
