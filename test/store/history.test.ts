import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { PlanStatus } from '../../src/generated/prisma/client.ts';
import type { EntityRef, InvestigationResult } from '../../src/investigation/model.ts';
import { seenBefore } from '../../src/store/history.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';

const NOW = new Date('2026-12-06T05:00:00Z');
const daysAgo = (days: number) => new Date(NOW.getTime() - days * 86_400_000);

const deployment: EntityRef = { kind: 'Deployment', namespace: 'orders', name: 'api' };
const configMap: EntityRef = { kind: 'ConfigMap', namespace: 'orders', name: 'api-config' };
const otherDeployment: EntityRef = { kind: 'Deployment', namespace: 'orders', name: 'worker' };

/** An answer as the worker stores it: root cause, fault type, the top hypothesis' path to the symptom. */
const answer = (rootCause: EntityRef, faultType: string, workload: EntityRef) => ({
  rootCause,
  faultType,
  confidence: 0.8,
  summary: `${rootCause.name} is broken`,
  hypotheses: [
    { entity: rootCause, faultType, confidence: 0.8, summary: '', evidence: [], path: [rootCause, workload] },
  ],
  ruledOut: [],
  remediation: null,
  assumptions: [],
});

let database: TestDatabase;
before(async () => {
  database = await createTestDatabase();
});
after(() => database.drop());

let counter = 0;
async function earlier(
  title: string,
  at: Date,
  result: unknown,
  plan?: PlanStatus,
  resolved = false,
  cluster?: string,
) {
  const incident = await database.db.incident.create({
    data: {
      source: 'alertmanager',
      externalId: `history-${++counter}`,
      title,
      alert: {},
      status: resolved ? 'resolved' : 'diagnosed',
      slackChannel: 'CINC',
      slackThreadTs: `1700000000.00000${counter}`,
      createdAt: at,
      ...(cluster ? { cluster } : {}),
    },
  });
  await database.db.investigation.create({
    data: {
      incidentId: incident.id,
      jobId: `job-${counter}`,
      status: 'done',
      result: result as object,
      finishedAt: at,
    },
  });
  if (plan)
    await database.db.plan.create({
      data: {
        incidentId: incident.id,
        status: plan,
        risk: 'low',
        summary: 'fix',
        action: {},
        spec: {},
        requiredApprovals: 1,
        expiresAt: at,
      },
    });
  return incident.id;
}

test('Seen before: same root cause, or same fault on the same workload, last 90 days, newest first, with how each ended', async () => {
  const current = answer(configMap, 'crashloop-bad-config', deployment);
  await earlier('executed', daysAgo(10), current, 'succeeded', true);
  await earlier(
    'same fault, same workload, other cause',
    daysAgo(5),
    answer(deployment, 'crashloop-bad-config', deployment),
    'rolled_back',
  );
  await earlier('rejected', daysAgo(2), current, 'rejected');
  await earlier(
    'same fault on another workload',
    daysAgo(1),
    answer(otherDeployment, 'crashloop-bad-config', otherDeployment),
    'succeeded',
  );
  await earlier('too old', daysAgo(100), current, 'succeeded');
  await earlier('other fault, other cause', daysAgo(1), answer(otherDeployment, 'oom-limit', deployment));
  await earlier('no plan', daysAgo(30), current);
  await earlier('same cause in another cluster', daysAgo(3), current, 'succeeded', false, 'eu-west');
  const self = await earlier('this one', NOW, current);

  const found = await seenBefore(database.db, self, current as unknown as InvestigationResult, NOW);
  assert.deepEqual(
    found.map((incident) => [incident.title, incident.match, incident.outcome, incident.resolved]),
    [
      ['rejected', 'same root cause', 'rejected', false],
      ['same fault, same workload, other cause', 'same fault on the same workload', 'rolled back', false],
      ['executed', 'same root cause', 'plan executed', true],
      ['no plan', 'same root cause', 'none', false],
    ],
  );
  assert.equal(found[0]?.slackChannel, 'CINC');
});
