import { createSlackClient } from '../../src/slack/client.ts';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { AlertSchema } from '../../src/alert/alert.ts';
import { PostgresAuditLog } from '../../src/audit/postgres-audit-log.ts';
import { parseScenario } from '../../src/simulation/scenario.ts';
import { type Simulation, startSimulation } from '../../src/simulation/simulation.ts';
import { inTransaction, poolOf } from '../../src/store/db.ts';
import { openIncident } from '../../src/store/incidents.ts';
import { runInvestigation } from '../../src/worker/investigation-worker.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { FakeSlack } from '../support/fake-slack.ts';
import {
  errorReply,
  type ScriptStep,
  scriptedAgentConfig,
  startScriptedOpenAI,
  toolCall,
} from '../support/scripted-openai.ts';
import { AGENT_SCENARIO, NAMESPACE, SECRET_VALUES } from './agent-scenario.ts';

const scenario = parseScenario(AGENT_SCENARIO, 'agent-scenario');
const podName = 'ledger-5d8f-abcde';
const answer = {
  rootCause: { kind: 'Secret', namespace: NAMESPACE, name: 'ledger-db' },
  faultType: 'bad-secret-value',
  confidence: 0.85,
  summary: 'The database rejects the password in Secret ledger-db.',
  evidence: [{ source: 'log', ref: { kind: 'Pod', namespace: NAMESPACE, name: podName }, text: 'auth failed' }],
  ruledOut: [],
};

let database: TestDatabase;
let slack: FakeSlack;
let simulation: Simulation;

before(async () => {
  database = await createTestDatabase();
  slack = await FakeSlack.start();
  simulation = await startSimulation(scenario);
});
after(async () => {
  await simulation.close();
  await slack.close();
  await database.drop();
});

/** One incident through the production worker step, with the agent configured against a scripted model. */
async function investigateIncident(externalId: string, script: ScriptStep[]) {
  const model = await startScriptedOpenAI(script);
  const agent = scriptedAgentConfig(model, { maxTurns: 10, timeLimitMs: 3_000 });
  const alert = AlertSchema.parse({ ...scenario.alert, externalId });
  const { incident } = await inTransaction(poolOf(database.db), (tx) => openIncident(tx, { ...alert, externalId }));
  try {
    await runInvestigation(
      {
        db: database.db,
        audit: new PostgresAuditLog(database.db),
        slack: createSlackClient('xoxb-test', { slackApiUrl: slack.apiUrl }),
        kubeConfig: simulation.kubeConfig,
        incidentChannel: 'CINCIDENTS',
        statusIntervalMs: 10,
        agent,
      },
      { incidentId: incident.id, jobId: `job-${externalId}`, attempt: 1, attempts: 1 },
    );
  } finally {
    await model.close();
  }
  const { slackThreadTs } = await database.db.incident.findUniqueOrThrow({ where: { id: incident.id } });
  const thread = [
    ...slack.replies(slackThreadTs!),
    ...slack.callsTo('chat.update').filter((call) => call.args.channel !== undefined),
  ];
  const audit = (
    await database.db.auditEvent.findMany({ where: { incidentId: incident.id }, orderBy: { seq: 'asc' } })
  ).map(({ action, target, justification, details }) => ({ action, target, justification, details }));
  return { thread: JSON.stringify(thread.map((call) => call.args)), audit, requests: model.requests };
}

describe('the worker with a model configured', () => {
  it("posts the model's root cause in the thread, audits every model and tool call, and leaks no Secret", async () => {
    const { thread, audit } = await investigateIncident('AGENT-1', [
      toolCall('pod_logs', { namespace: NAMESPACE, pod: podName, previous: true, reason: 'why it died' }),
      toolCall('get_object', { kind: 'Secret', namespace: NAMESPACE, name: 'ledger-db', reason: 'credentials' }),
      toolCall('final_answer', answer),
    ]);
    assert.match(thread, /ledger-db/);
    assert.match(thread, /The database rejects the password/);
    const actions = audit.map((event) => event.action);
    assert.equal(actions.filter((action) => action === 'agent.model_call').length, 3);
    const toolCalls = audit.filter((event) => event.action === 'agent.tool_call');
    assert.deepEqual(
      toolCalls.map((event) => [event.target, event.justification]),
      [
        ['pod_logs', 'why it died'],
        ['get_object', 'credentials'],
      ],
    );
    const everything = thread + JSON.stringify(audit);
    for (const value of Object.values(SECRET_VALUES)) assert.ok(!everything.includes(value), `${value} leaked`);
  });

  it("keeps the engine's answer in the thread, and says why, when the model stays down", async () => {
    const { thread, requests } = await investigateIncident('AGENT-2', [errorReply(503, { 'retry-after-ms': '20' })]);
    assert.ok(requests.length > 1, 'the 503 was retried');
    assert.match(thread, /model endpoint was unavailable/);
    assert.match(thread, /engine's answer stands/);
  });
});
