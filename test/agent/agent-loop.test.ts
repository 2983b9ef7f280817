import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { z } from 'zod';
import { type AgentLoopInput, runAgentLoop } from '../../src/agent/agent-loop.ts';
import type { AgentTool } from '../../src/agent/agent-tool.ts';
import type { AgentConfig } from '../../src/agent/config.ts';
import { createModelClient } from '../../src/agent/model-client.ts';
import { Redactor } from '../../src/redaction/redactor.ts';
import { SeenRefs } from '../../src/agent/seen-refs.ts';
import { MemoryAuditLog } from '../../src/audit/audit-log.ts';
import type { EntityRef } from '../../src/investigation/model.ts';
import {
  errorReply,
  finalAnswer,
  type ScriptedOpenAI,
  type ScriptStep,
  scriptedAgentConfig,
  startScriptedOpenAI,
  textReply,
  toolCall,
  toolCalls,
} from '../support/scripted-openai.ts';

// A tiny cluster the test's own tools read from; the model side is the real SDK against a real HTTP server.
const objects = [
  { kind: 'Deployment', metadata: { name: 'api', namespace: 'shop' }, spec: { replicas: 2 } },
  { kind: 'ConfigMap', metadata: { name: 'api-config', namespace: 'shop' }, data: { MODE: 'broken' } },
  { kind: 'Pod', metadata: { name: 'api-1', namespace: 'shop' }, status: { phase: 'Running' } },
];

interface Harness {
  runs: { tool: string; args: unknown }[];
  tools: AgentTool[];
}

function harness(longResult = ''): Harness {
  const runs: Harness['runs'] = [];
  const tools: AgentTool[] = [
    {
      name: 'get_object',
      description: 'Get one object by kind, namespace and name',
      args: z.object({ kind: z.string(), namespace: z.string().optional(), name: z.string() }),
      run: async (args) => {
        runs.push({ tool: 'get_object', args });
        const { kind, name } = args as { kind: string; name: string };
        const object = objects.find((o) => o.kind === kind && o.metadata.name === name);
        return object ? { ...object, ...(longResult ? { annotations: longResult } : {}) } : { error: 'not found' };
      },
    },
    {
      name: 'pod_logs',
      description: 'Logs of a pod',
      args: z.object({ namespace: z.string(), pod: z.string() }),
      run: async (args) => {
        runs.push({ tool: 'pod_logs', args });
        return {
          pod: 'api-1',
          lines: ['starting', 'listening on :8080', 'ERROR mode "broken" is not supported', longResult],
        };
      },
    },
  ];
  return { runs, tools };
}

const exists = async (ref: EntityRef) =>
  objects.some((o) => o.kind === ref.kind && o.metadata.name === ref.name && o.metadata.namespace === ref.namespace);

const goodAnswer = {
  rootCause: { kind: 'ConfigMap', namespace: 'shop', name: 'api-config' },
  faultType: 'feature-flag',
  confidence: 0.8,
  summary: 'MODE=broken in the ConfigMap makes the api pods fail',
  evidence: [{ ref: { kind: 'ConfigMap', namespace: 'shop', name: 'api-config' }, text: 'MODE: broken' }],
  ruledOut: [{ entity: { kind: 'Pod', namespace: 'shop', name: 'api-1' }, reason: 'a victim of the config' }],
};

const getConfig = toolCall('get_object', {
  kind: 'ConfigMap',
  namespace: 'shop',
  name: 'api-config',
  reason: 'read the config',
});

async function runWith(
  script: ScriptStep[],
  overrides: Partial<AgentConfig> = {},
  h = harness(),
  extra: Partial<AgentLoopInput> = {},
) {
  const server: ScriptedOpenAI = await startScriptedOpenAI(script);
  const config = scriptedAgentConfig(server, overrides);
  const audit = new MemoryAuditLog();
  const input: AgentLoopInput = {
    client: createModelClient(config),
    config,
    tools: h.tools,
    redactor: new Redactor(),
    seen: new SeenRefs(),
    entityExists: exists,
    systemPrompt: 'You investigate incidents.',
    firstUserMessage: 'Alert: api is down',
    audit,
    deadline: Date.now() + config.timeLimitMs,
    ...extra,
  };
  try {
    const outcome = await runAgentLoop(input);
    return { outcome, audit, requests: server.requests, runs: h.runs };
  } finally {
    await server.close();
  }
}

const lastMessage = (request: { body: { messages: { content: string | null }[] } }) =>
  request.body.messages.at(-1)?.content ?? '';

describe('agent loop against a scripted OpenAI-compatible server', () => {
  it('offers every tool with a required reason, plus final_answer', async () => {
    const { requests } = await runWith([getConfig, finalAnswer(goodAnswer)]);
    const tools = requests[0]!.body.tools!;
    assert.deepEqual(
      tools.map((tool) => tool.function.name),
      ['get_object', 'pod_logs', 'final_answer'],
    );
    const getObject = tools[0]!.function.parameters as { required: string[]; properties: Record<string, unknown> };
    assert.ok(getObject.required.includes('reason'));
    assert.ok(getObject.required.includes('kind'));
  });

  it('accepts an answer that cites what the tools returned and names an existing entity', async () => {
    const { outcome } = await runWith([getConfig, finalAnswer(goodAnswer)]);
    assert.equal(outcome.status, 'answered');
    assert.deepEqual(outcome.answer?.rootCause, goodAnswer.rootCause);
  });

  it('trips the circuit breaker on the third identical call and stops after three trips', async () => {
    // Same call, keys reordered and padded: still the same call.
    const looping: ScriptStep = (_request, index) =>
      index % 2 === 0
        ? toolCall('get_object', { kind: 'Pod', namespace: 'shop', name: 'api-1', reason: `look again ${index}` })
        : toolCall('get_object', { name: ' api-1 ', reason: 'again', namespace: 'shop', kind: 'Pod' });
    const { outcome, requests, runs, audit } = await runWith([looping]);
    assert.equal(runs.length, 2, 'the same call is executed at most twice');
    assert.match(lastMessage(requests[3]!), /Not executed: you already called get_object/);
    assert.equal(outcome.status, 'needs-human');
    assert.equal(outcome.breakerTrips, 3);
    assert.equal(requests.length, 5);
    assert.match(outcome.message, /A human should take over/);
    const refused = audit.entries.filter((e) => e.action === 'agent.tool_call' && e.details?.executed === false);
    assert.equal(refused.length, 3);
  });

  it('cuts an over-long tool result to the budget and says what was cut', async () => {
    const { requests } = await runWith(
      [getConfig, finalAnswer(goodAnswer)],
      { toolResultBudget: 2_000 },
      harness('x'.repeat(50_000)),
    );
    const toolMessage = lastMessage(requests[1]!);
    assert.ok(toolMessage.length < 2_300, `tool message is ${toolMessage.length} characters`);
    assert.match(toolMessage, /cut by the context budget: \d+ of \d+ characters omitted/);
  });

  it('filters logs to error lines and passes them as untrusted data', async () => {
    const { requests } = await runWith([
      toolCall('pod_logs', { namespace: 'shop', pod: 'api-1', reason: 'why it fails' }),
      finalAnswer(goodAnswer),
    ]);
    const envelope = JSON.parse(lastMessage(requests[1]!)) as {
      note: string;
      data: { lines: string[] };
      notes: string[];
    };
    assert.match(envelope.note, /^untrusted_data/);
    assert.deepEqual(envelope.data.lines, ['ERROR mode "broken" is not supported']);
    assert.match(envelope.notes[0]!, /3 log lines/);
  });

  it('refuses an answer naming an entity that does not exist, then one citing nothing returned, and gives up', async () => {
    const ghost = { ...goodAnswer, rootCause: { kind: 'Deployment', namespace: 'shop', name: 'ghost' } };
    const uncited = {
      ...goodAnswer,
      evidence: [{ ref: { kind: 'Secret', namespace: 'shop', name: 'never-read' }, text: 'made up' }],
    };
    const { outcome, requests, audit } = await runWith([getConfig, finalAnswer(ghost), finalAnswer(uncited)]);
    assert.match(lastMessage(requests[2]!), /Answer refused: the root cause Deployment\/shop\/ghost does not exist/);
    assert.equal(outcome.status, 'invalid-answer');
    assert.equal(outcome.answer, null);
    assert.equal(outcome.refusals.length, 2);
    assert.match(outcome.refusals[1]!, /Secret\/shop\/never-read/);
    assert.equal(audit.entries.filter((e) => e.action === 'agent.answer_refused').length, 2);
  });

  it('refuses a reply that is neither a tool call nor an answer, and accepts a corrected one', async () => {
    const { outcome, requests } = await runWith([
      getConfig,
      textReply('I think it is the config.'),
      finalAnswer(goodAnswer),
    ]);
    assert.match(lastMessage(requests[2]!), /Answer refused: the answer does not match the schema/);
    assert.equal(outcome.status, 'answered');
  });

  it('refuses tool calls without a reason and does not run them', async () => {
    const { requests, runs } = await runWith([
      toolCall('get_object', { kind: 'Pod', namespace: 'shop', name: 'api-1' }),
      finalAnswer(goodAnswer),
    ]);
    assert.equal(runs.length, 0);
    assert.match(lastMessage(requests[1]!), /every call needs a non-empty `reason`/);
  });

  it('retries a 429 and then succeeds', async () => {
    const { outcome, requests, audit } = await runWith([
      errorReply(429, { 'retry-after-ms': '20' }),
      getConfig,
      finalAnswer(goodAnswer),
    ]);
    assert.equal(outcome.status, 'answered');
    assert.equal(requests.length, 3);
    const calls = audit.entries.filter((e) => e.action === 'agent.model_call');
    assert.equal(calls[0]?.details?.status, 429);
    assert.equal(calls.length, 3);
  });

  it('leaves the answer to the engine when the model stays down', async () => {
    const { outcome, requests } = await runWith([errorReply(503, { 'retry-after-ms': '10' })], { timeLimitMs: 5_000 });
    assert.equal(outcome.status, 'model-unavailable');
    assert.ok(requests.length > 1, 'retried before giving up');
    assert.match(outcome.message, /engine's answer stands/);
  });

  it('does not retry a request the endpoint refuses', async () => {
    const { outcome, requests } = await runWith([errorReply(401)]);
    assert.equal(outcome.status, 'model-unavailable');
    assert.equal(requests.length, 1);
  });

  it('ends gracefully at the turn limit', async () => {
    const wandering: ScriptStep = (_request, index) =>
      toolCall('get_object', { kind: 'Pod', namespace: 'shop', name: `pod-${index}`, reason: 'keep looking' });
    const { outcome, requests, runs } = await runWith([wandering], { maxTurns: 4 });
    assert.equal(outcome.status, 'turn-limit');
    assert.equal(requests.length, 4);
    assert.equal(runs.length, 3, 'a tool called on the last turn anyway is not run');
    assert.match(outcome.message, /turn limit \(4\)/);
  });

  it('offers only final_answer, and requires it, on the last allowed turn', async () => {
    const { outcome, requests } = await runWith([getConfig, finalAnswer(goodAnswer)], { maxTurns: 2 });
    assert.deepEqual(
      requests.map((request) => request.body.tools?.map((tool) => tool.function.name)),
      [['get_object', 'pod_logs', 'final_answer'], ['final_answer']],
    );
    assert.deepEqual(
      requests.map((request) => request.body.tool_choice),
      ['auto', { type: 'function', function: { name: 'final_answer' } }],
    );
    assert.equal(outcome.status, 'answered');
  });

  it('replaces old turns with a running summary when the context budget is near', async () => {
    const wandering: ScriptStep = (_request, index) =>
      index < 8
        ? toolCall('pod_logs', { namespace: 'shop', pod: `api-${index}`, reason: 'compare pods' })
        : finalAnswer(goodAnswer);
    const { requests } = await runWith([wandering], { contextBudget: 4_000 }, harness(`ERROR ${'y'.repeat(900)}`));
    const last = requests.at(-1)!;
    assert.ok(last.raw.length < requests[7]!.raw.length * 2, 'the conversation does not keep growing');
    assert.ok(
      last.body.messages.some((m) => typeof m.content === 'string' && m.content.startsWith('Running summary of')),
    );
    // Every tool call that remains still has its reply, or the endpoint would reject the request.
    const ids = last.body.messages.flatMap((m) => m.tool_calls?.map((c) => c.id) ?? []);
    const replies = new Set(last.body.messages.map((m) => m.tool_call_id).filter(Boolean));
    assert.ok(ids.every((id) => replies.has(id)));
  });

  it('audits every model call and every tool call with its reason and result size', async () => {
    const { audit } = await runWith([getConfig, finalAnswer(goodAnswer)]);
    const modelCalls = audit.entries.filter((e) => e.action === 'agent.model_call');
    assert.equal(modelCalls.length, 2);
    assert.deepEqual(
      Object.keys(modelCalls[0]!.details!)
        .filter((k) => ['model', 'tokensIn', 'tokensOut', 'latencyMs', 'finishReason'].includes(k))
        .sort(),
      ['finishReason', 'latencyMs', 'model', 'tokensIn', 'tokensOut'],
    );
    assert.equal(modelCalls[0]!.details!.tokensIn, 100);
    const toolCallEvent = audit.entries.find((e) => e.action === 'agent.tool_call');
    assert.equal(toolCallEvent?.justification, 'read the config');
    assert.equal(toolCallEvent?.target, 'get_object');
    assert.ok((toolCallEvent?.details?.resultChars as number) > 0);
    assert.deepEqual(toolCallEvent?.details?.arguments, { kind: 'ConfigMap', namespace: 'shop', name: 'api-config' });
  });

  it("stops at the next call once the job's signal is aborted, with the abort's reason", async () => {
    const controller = new AbortController();
    const h = harness();
    // Cancelled while a tool runs: the second tool call of the turn and the next model call never start.
    const tool = h.tools[0]!;
    h.tools[0] = {
      ...tool,
      run: async (args, reason) => {
        controller.abort(new Error('job cancelled'));
        return tool.run(args, reason);
      },
    };
    const readBoth = toolCalls(
      { name: 'get_object', args: { kind: 'ConfigMap', namespace: 'shop', name: 'api-config', reason: 'config' } },
      { name: 'pod_logs', args: { namespace: 'shop', pod: 'api-1', reason: 'logs' } },
    );
    await assert.rejects(
      runWith([readBoth, finalAnswer(goodAnswer)], {}, h, { signal: controller.signal }),
      /job cancelled/,
    );
    assert.equal(h.runs.length, 1);
  });
});
