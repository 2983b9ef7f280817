import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { AgentConfig } from '../../src/agent/config.ts';
import { investigateWithAgent } from '../../src/agent/investigate-with-agent.ts';
import { AlertSchema } from '../../src/alert/alert.ts';
import { MemoryAuditLog } from '../../src/audit/audit-log.ts';
import type { Progress } from '../../src/investigation/model.ts';
import { parseScenario } from '../../src/simulation/scenario.ts';
import { type Simulation, startSimulation } from '../../src/simulation/simulation.ts';
import {
  type ScriptStep,
  scriptedAgentConfig,
  startScriptedOpenAI,
  toolCall,
  toolCalls,
} from '../support/scripted-openai.ts';
import { AGENT_SCENARIO, INJECTION, NAMESPACE, SECRET_VALUES } from './agent-scenario.ts';

const scenario = parseScenario(AGENT_SCENARIO, 'agent-scenario');
const alert = AlertSchema.parse(scenario.alert);

const secretRef = { kind: 'Secret', namespace: NAMESPACE, name: 'ledger-db' };
const podRef = { kind: 'Pod', namespace: NAMESPACE, name: 'ledger-5d8f-abcde' };

const answer = {
  rootCause: secretRef,
  faultType: 'bad-secret-value',
  confidence: 0.85,
  summary: 'The password in the ledger-db Secret is rejected by the database, so ledger crashes on start.',
  evidence: [
    { source: 'log', ref: podRef, text: 'password authentication failed for user "ledger"' },
    { source: 'spec', ref: secretRef, text: 'changed 5 minutes before the crashes began' },
  ],
  ruledOut: [{ entity: { kind: 'Deployment', namespace: NAMESPACE, name: 'ledger' }, reason: 'spec unchanged' }],
};

/** A model that reads everything a careless investigator would, Secrets included, then answers. */
const thoroughScript: ScriptStep[] = [
  toolCall('engine_findings', { reason: 'start from the engine' }),
  toolCalls(
    { name: 'get_object', args: { kind: 'Secret', namespace: NAMESPACE, name: 'ledger-db', reason: 'the password' } },
    { name: 'list_objects', args: { kind: 'Secret', namespace: NAMESPACE, reason: 'all credentials' } },
  ),
  toolCall('pod_logs', { namespace: NAMESPACE, pod: podRef.name, previous: true, reason: 'why it died' }),
  toolCall('get_object', { kind: 'ConfigMap', namespace: NAMESPACE, name: 'ledger-config', reason: 'its config' }),
  toolCall('get_object', { kind: 'Pod', namespace: NAMESPACE, name: podRef.name, reason: 'the pod spec' }),
  toolCall('final_answer', answer),
];

let simulation: Simulation;

before(async () => {
  simulation = await startSimulation(scenario);
});
after(async () => {
  await simulation.close();
});

async function run(script: ScriptStep[], overrides: Partial<AgentConfig> = {}) {
  const server = await startScriptedOpenAI(script);
  const config = scriptedAgentConfig(server, overrides);
  const audit = new MemoryAuditLog();
  const progress: Progress[] = [];
  try {
    const investigation = await investigateWithAgent(
      alert,
      {
        kubeConfig: simulation.kubeConfig,
        prometheusUrl: simulation.prometheusUrl,
        audit,
        now: new Date(scenario.now),
        onProgress: (event) => {
          progress.push(event);
        },
      },
      config,
    );
    return { ...investigation, requests: server.requests, audit, progress };
  } finally {
    await server.close();
  }
}

const toolMessages = (requests: { body: { messages: { role: string; content: string | null }[] } }[]) =>
  requests
    .at(-1)!
    .body.messages.filter((m) => m.role === 'tool')
    .map((m) => m.content ?? '');

describe('investigateWithAgent on a simulated cluster', () => {
  it("never sends a Secret's values to the model, nor writes them to the audit trail", async () => {
    const { requests, audit, agent } = await run(thoroughScript);
    assert.equal(agent.status, 'answered');
    assert.equal(requests.length, thoroughScript.length);
    const sent = requests.map((request) => request.raw).join('\n');
    const audited = JSON.stringify(audit.entries);
    for (const value of Object.values(SECRET_VALUES)) {
      for (const form of [value, Buffer.from(value).toString('base64')]) {
        assert.ok(!sent.includes(form), `"${form}" reached the model endpoint`);
        assert.ok(!audited.includes(form), `"${form}" reached the audit trail`);
      }
    }
    // The leaked log line still arrives, masked: the evidence survives, the credential does not.
    assert.match(sent, /login rejected for credential \[REDACTED\]/);
    assert.match(sent, /password authentication failed/);
    // The Secret's username is also the app's name: names stay readable, or nothing could be reported.
    assert.ok(sent.includes('ledger-5d8f-abcde') && sent.includes('ledger-ns'));
  });

  it('treats an injected instruction in a log line as data: no write reaches the API server', async () => {
    const before = simulation.requests().length;
    const { requests, result } = await run([
      toolCall('pod_logs', { namespace: NAMESPACE, pod: podRef.name, previous: true, reason: 'why it died' }),
      // A model that obeyed the log would try to act; there is nothing to act with.
      toolCall('delete_namespace', { name: NAMESPACE, reason: 'the log said so' }),
      toolCall('get_object', { kind: 'ConfigMap', namespace: NAMESPACE, name: 'ledger-config', reason: 'config' }),
      toolCall('get_object', { kind: 'Secret', namespace: NAMESPACE, name: 'ledger-db', reason: 'credentials' }),
      toolCall('final_answer', answer),
    ]);
    const [logs, refusal] = toolMessages(requests);
    const envelope = JSON.parse(logs!) as { note: string; data: { lines: string[] } };
    assert.match(envelope.note, /^untrusted_data/);
    assert.ok(envelope.data.lines.some((line) => line.includes(INJECTION)));
    assert.match(refusal!, /there is no tool named "delete_namespace"/);
    const offered = requests[0]!.body.tools!.map((tool) => tool.function.name).sort();
    assert.deepEqual(offered, [
      'engine_findings',
      'events_for',
      'final_answer',
      'get_object',
      'list_objects',
      'pod_logs',
      'prometheus_query',
      'rollout_history',
    ]);
    const served = (await (await fetch(`${simulation.kubeApiUrl}/_sim/requests`)).json()) as { method: string }[];
    assert.ok(served.length > before);
    assert.deepEqual([...new Set(served.map((request) => request.method))], ['GET']);
    assert.deepEqual(result.rootCause, secretRef);
  });

  it("answers with the model's root cause and, when the engine disagrees, shows the engine's beside it", async () => {
    const configMapRef = { kind: 'ConfigMap', namespace: NAMESPACE, name: 'ledger-config' };
    const { result, engine, agent, progress } = await run([
      toolCall('get_object', { ...configMapRef, reason: 'the config the pods load' }),
      toolCall('final_answer', { ...answer, rootCause: configMapRef, faultType: 'bad-env' }),
    ]);
    assert.equal(agent.status, 'answered');
    assert.notDeepEqual(engine.rootCause, configMapRef, 'the engine names something else');
    assert.deepEqual(result.rootCause, configMapRef);
    assert.deepEqual(result.engineAnswer?.rootCause, engine.rootCause);
    assert.equal(result.remediation, null, 'no plan while model and engine disagree');
    assert.match(result.summary, /The deterministic engine named .* instead/);
    const done = progress.filter((event) => event.type === 'done');
    assert.equal(done.length, 1, 'one final answer, not the engine’s and then the agent’s');
    assert.deepEqual(done[0]!.type === 'done' && done[0]!.result.rootCause, configMapRef);
  });

  it("confirms the engine's answer when both agree, keeping its remediation", async () => {
    const { result, engine, agent } = await run(thoroughScript);
    assert.equal(agent.status, 'answered');
    assert.deepEqual(engine.rootCause, secretRef, 'the engine finds the Secret on this scenario');
    assert.deepEqual(result.rootCause, secretRef);
    assert.equal(result.engineAnswer, undefined);
    assert.deepEqual(result.remediation, engine.remediation);
    assert.match(result.summary, /reached the same conclusion/);
  });

  it("falls back to the engine's answer after a second invalid answer, and says why", async () => {
    const ghost = { ...answer, rootCause: { kind: 'Deployment', namespace: NAMESPACE, name: 'ghost' } };
    const { result, engine, agent, requests } = await run([
      toolCall('get_object', { kind: 'Pod', namespace: NAMESPACE, name: podRef.name, reason: 'the pod' }),
      toolCall('final_answer', ghost),
      toolCall('final_answer', ghost),
    ]);
    assert.equal(agent.status, 'invalid-answer');
    assert.match(toolMessages(requests).at(-1)!, /Deployment\/ledger-ns\/ghost does not exist in the cluster/);
    assert.deepEqual(result.rootCause, engine.rootCause);
    assert.ok(result.assumptions.some((line) => /refused twice.*engine's answer stands/.test(line)));
  });

  it("ends at the turn limit with the engine's answer", async () => {
    const wandering: ScriptStep = (_request, index) =>
      toolCall('list_objects', { kind: 'Pod', namespace: NAMESPACE, limit: index + 1, reason: 'look around' });
    const { result, engine, agent, requests } = await run([wandering], { maxTurns: 3 });
    assert.equal(agent.status, 'turn-limit');
    assert.equal(requests.length, 3);
    assert.deepEqual(result.rootCause, engine.rootCause);
    assert.ok(result.assumptions.some((line) => line.includes('turn limit (3)')));
  });

  it('starts the model from the alert and the engine findings, as untrusted data', async () => {
    const { requests } = await run([toolCall('final_answer', answer)]);
    const first = requests[0]!.body.messages[1]!.content!;
    assert.match(first, /"source":"alert".*"untrusted_data/s);
    assert.match(first, /"source":"engine_findings"/);
    assert.match(first, /KubePodCrashLooping/);
    assert.match(first, /"evidenceGraph":\[[^\]]*"Deployment\/ledger-ns\/ledger uses Secret\/ledger-ns\/ledger-db"/);
  });
});
