import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { webApi } from '@slack/bolt';
import { PostgresAuditLog } from '../../src/audit/postgres-audit-log.ts';
import type { PlanSpec } from '../../src/remediation/plan-spec.ts';
import { createPlan, transition } from '../../src/remediation/plan-store.ts';
import { sweepPlans } from '../../src/remediation/sweep.ts';
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

test('a plan left executing by a dead executor is failed, with a call for a human in the thread', async () => {
  const incident = await database.db.incident.create({
    data: { source: 'slack', externalId: 'sweep', title: 't', alert: {}, slackChannel: 'C1', slackThreadTs: '1.0' },
  });
  const plan = await createPlan(database.db, {
    incidentId: incident.id,
    spec,
    ttlMinutes: 30,
    slackChannel: 'C1',
    slackThreadTs: '1.0',
  });
  await transition(database.db, plan.id, 'proposed', 'approved');
  await transition(database.db, plan.id, 'approved', 'executing', { startedAt: new Date(Date.now() - 60_000) });
  const deps = {
    db: database.db,
    audit: new PostgresAuditLog(database.db),
    slack: new webApi.WebClient('xoxb-test', { slackApiUrl: slack.apiUrl, retryConfig: { retries: 0 } }),
  };

  await sweepPlans({ ...deps, executionDeadlineMs: 120_000 });
  assert.equal((await database.db.plan.findUniqueOrThrow({ where: { id: plan.id } })).status, 'executing');

  await sweepPlans({ ...deps, executionDeadlineMs: 30_000 });
  const swept = await database.db.plan.findUniqueOrThrow({ where: { id: plan.id } });
  assert.equal(swept.status, 'failed');
  assert.match(
    slack
      .replies('1.0')
      .map((call) => String(call.args.text))
      .join('\n'),
    /executor stopped/,
  );
  const event = await database.db.auditEvent.findFirstOrThrow({ where: { action: 'plan.abandoned' } });
  assert.equal(event.actor, 'executor');
});
