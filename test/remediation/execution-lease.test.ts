import { createSlackClient } from '../../src/slack/client.ts';
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { KubeConfig } from '@kubernetes/client-node';
import { PostgresAuditLog } from '../../src/audit/postgres-audit-log.ts';
import type { PlanSpec } from '../../src/remediation/plan-spec.ts';
import { createPlan, transition } from '../../src/remediation/plan-store.ts';
import { recoverAbandonedPlans } from '../../src/remediation/executor.ts';
import { KubeObjects } from '../../src/remediation/kube-objects.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { FakeSlack } from '../support/fake-slack.ts';

const spec: PlanSpec = {
  action: { type: 'delete-pod', namespace: 'ns', name: 'p' },
  summary: 'Delete the stuck pod',
  risk: 'low',
  riskReason: 'its controller replaces it',
  preconditions: [],
  changes: [],
  diff: '',
  verification: [],
  rollback: 'none',
};

function nowhere(): KubeConfig {
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromOptions({
    clusters: [{ name: 'none', server: 'https://127.0.0.1:1' }],
    users: [{ name: 'none' }],
    contexts: [{ name: 'none', cluster: 'none', user: 'none' }],
    currentContext: 'none',
  });
  return kubeConfig;
}

let database: TestDatabase;
let slack: FakeSlack;
before(async () => {
  database = await createTestDatabase();
  slack = await FakeSlack.start();
});
after(async () => {
  await slack.close();
  await database.drop();
});

test('a plan whose executor lease lapsed is taken over once: the thread is told and the plan finished', async () => {
  const incident = await database.db.incident.create({
    data: {
      source: 'slack',
      externalId: 'sweep',
      title: 't',
      alert: { source: 'slack', title: 't' },
      slackChannel: 'C1',
      slackThreadTs: '1.0',
    },
  });
  const plan = await createPlan(database.db, {
    incidentId: incident.id,
    spec,
    ttlMinutes: 30,
    slackChannel: 'C1',
    slackThreadTs: '1.0',
  });
  await transition(database.db, plan.id, 'proposed', 'approved');
  // A dead executor's lease: it stopped renewing it a while ago.
  await transition(database.db, plan.id, 'approved', 'executing', {
    startedAt: new Date(Date.now() - 60_000),
    leaseOwner: 'dead-executor',
    leaseExpiresAt: new Date(Date.now() + 60_000),
  });
  const deps = {
    db: database.db,
    audit: new PostgresAuditLog(database.db),
    slack: createSlackClient('xoxb-test', { slackApiUrl: slack.apiUrl, retryConfig: { retries: 0 } }),
    // The plan changes nothing in a cluster: credentials that point nowhere.
    kube: new KubeObjects(nowhere()),
    verifyTimeoutMs: 1000,
    leaseMs: 30_000,
  };

  await recoverAbandonedPlans(deps);
  assert.equal((await database.db.plan.findUniqueOrThrow({ where: { id: plan.id } })).status, 'executing');

  await database.db.plan.update({ where: { id: plan.id }, data: { leaseExpiresAt: new Date(Date.now() - 1000) } });
  await Promise.all([recoverAbandonedPlans(deps), recoverAbandonedPlans(deps)]);
  const recovered = await database.db.plan.findUniqueOrThrow({ where: { id: plan.id } });
  assert.equal(recovered.status, 'succeeded', 'nothing was applied (no snapshot): the plan ran from the start');
  assert.equal(recovered.leaseOwner, null);
  const told = slack
    .storedMessages('C1')
    .filter((message) => /another executor took it over/i.test(message.text ?? ''));
  assert.equal(told.length, 1);
  const events = await database.db.auditEvent.findMany({ where: { action: 'plan.execution.recovering' } });
  assert.equal(events.length, 1, 'two sweeps at once: one takes the lease');
  assert.equal(events[0]?.actor, 'executor');
});
