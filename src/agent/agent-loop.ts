import type OpenAI from 'openai';
import { z } from 'zod';
import type { AuditLog } from '../audit/audit-log.ts';
import type { EntityRef, ProgressListener } from '../investigation/model.ts';
import { type AgentTool, toOpenAITool } from './agent-tool.ts';
import { type AgentAnswer, AgentAnswerSchema, checkAnswer } from './answer.ts';
import { CircuitBreaker } from './circuit-breaker.ts';
import type { AgentConfig } from './config.ts';
import { ConversationHistory } from './conversation-history.ts';
import { filterLogsIn } from './log-filter.ts';
import { type ChatResponse, completeWithRetry, ModelUnavailableError } from './model-client.ts';
import type { Redactor } from '../redaction/redactor.ts';
import type { SeenRefs } from './seen-refs.ts';
import { cutToBudget } from './tool-result-budget.ts';
import { untrustedEnvelope } from './untrusted.ts';
import { errorMessage } from '../observability/error-message.ts';

type Message = OpenAI.Chat.Completions.ChatCompletionMessageParam;
type ToolCall = OpenAI.Chat.Completions.ChatCompletionMessageFunctionToolCall;

export type AgentStatus =
  | 'answered'
  | 'invalid-answer'
  | 'turn-limit'
  | 'time-limit'
  | 'model-unavailable'
  | 'needs-human';

export interface AgentOutcome {
  status: AgentStatus;
  /** Only when `status` is `answered`. */
  answer: AgentAnswer | null;
  /** For the thread: what happened, in one sentence. */
  message: string;
  model: string;
  turns: number;
  modelCalls: number;
  toolCalls: number;
  breakerTrips: number;
  /** Why each refused answer was refused. */
  refusals: string[];
  tokens: { prompt: number; completion: number };
}

export interface AgentLoopInput {
  client: OpenAI;
  config: AgentConfig;
  tools: AgentTool[];
  redactor: Redactor;
  seen: SeenRefs;
  entityExists: (ref: EntityRef) => Promise<boolean>;
  systemPrompt: string;
  /** Already redacted and enveloped. */
  firstUserMessage: string;
  audit: AuditLog;
  incidentId?: string;
  onProgress?: ProgressListener;
  /** Epoch milliseconds: no model call or tool call starts after it. */
  deadline: number;
}

const FINAL_ANSWER_TOOL = 'final_answer';
const MAX_REFUSALS = 2;

const finalAnswerTool: OpenAI.Chat.Completions.ChatCompletionFunctionTool = {
  type: 'function',
  function: {
    name: FINAL_ANSWER_TOOL,
    description:
      'Submit the conclusion. Cite only objects that tool results returned; name the entity where the fault lives. ' +
      'Ends the investigation.',
    parameters: (({ $schema: _ignored, ...schema }) => schema)(
      z.toJSONSchema(AgentAnswerSchema, { io: 'input', target: 'draft-7' }) as Record<string, unknown>,
    ),
  },
};

const trimStrings = (value: unknown): unknown =>
  typeof value === 'string'
    ? value.trim()
    : Array.isArray(value)
      ? value.map(trimStrings)
      : value !== null && typeof value === 'object'
        ? Object.fromEntries(Object.entries(value).map(([key, field]) => [key, trimStrings(field)]))
        : value;

/** Thread lines stay short; the audit trail keeps the full reason. */
const brief = (text: string, max = 240): string => {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
};

const ReasonSchema = z.string().trim().min(1, 'give a non-empty `reason`');

/** A model reply without a tool call may still carry the answer as JSON (some OpenAI-compatible servers do that). */
function answerFromContent(content: string | null | undefined): unknown {
  if (!content) return undefined;
  const fenced = content.match(/```(?:json)?\s*([\s\S]*?)```/);
  const candidate = fenced?.[1] ?? content.slice(content.indexOf('{'), content.lastIndexOf('}') + 1);
  try {
    return JSON.parse(candidate);
  } catch {
    return undefined;
  }
}

export async function runAgentLoop(input: AgentLoopInput): Promise<AgentOutcome> {
  const { config, redactor, audit, incidentId } = input;
  const toolsByName = new Map(input.tools.map((tool) => [tool.name, tool]));
  const openAITools = [...input.tools.map(toOpenAITool), finalAnswerTool];
  // The last allowed turn offers only final_answer, and requires it: the model must answer rather than read on
  // into the turn limit (as HolmesGPT drops the tools on its last iteration).
  const offer = (lastTurn: boolean) =>
    lastTurn
      ? {
          tools: [finalAnswerTool],
          tool_choice: { type: 'function' as const, function: { name: FINAL_ANSWER_TOOL } },
        }
      : { tools: openAITools, tool_choice: 'auto' as const };
  const breaker = new CircuitBreaker(2, config.maxBreakerTrips);
  const history = new ConversationHistory(
    [
      { role: 'system', content: input.systemPrompt },
      { role: 'user', content: input.firstUserMessage },
    ],
    config.contextBudget,
  );
  const outcome: AgentOutcome = {
    status: 'turn-limit',
    answer: null,
    message: '',
    model: config.model,
    turns: 0,
    modelCalls: 0,
    toolCalls: 0,
    breakerTrips: 0,
    refusals: [],
    tokens: { prompt: 0, completion: 0 },
  };
  const end = (status: AgentStatus, message: string): AgentOutcome => {
    outcome.status = status;
    outcome.message = message;
    outcome.breakerTrips = breaker.trips;
    return outcome;
  };
  const step = (message: string) => input.onProgress?.({ type: 'step', message });

  const auditModelCall = async (
    attempt: { attempt: number; latencyMs: number; status?: number; error?: string },
    response?: ChatResponse,
  ) => {
    outcome.modelCalls += 1;
    outcome.tokens.prompt += response?.usage?.prompt_tokens ?? 0;
    outcome.tokens.completion += response?.usage?.completion_tokens ?? 0;
    await audit.record({
      actor: 'agent',
      action: 'agent.model_call',
      target: config.model,
      ...(incidentId ? { incidentId } : {}),
      details: {
        model: response?.model ?? config.model,
        turn: outcome.turns,
        attempt: attempt.attempt,
        latencyMs: attempt.latencyMs,
        tokensIn: response?.usage?.prompt_tokens ?? null,
        tokensOut: response?.usage?.completion_tokens ?? null,
        finishReason: response?.choices[0]?.finish_reason ?? null,
        ...(attempt.status ? { status: attempt.status } : {}),
        ...(attempt.error ? { error: redactor.text(attempt.error) } : {}),
      },
    });
  };

  /** Refuses an answer once with the reason; the second refusal ends the loop. Returns the outcome when it ends. */
  const judgeAnswer = async (raw: unknown): Promise<{ done: AgentOutcome } | { refused: string }> => {
    const check = await checkAnswer(raw, input.seen, input.entityExists);
    await audit.record({
      actor: 'agent',
      action: check.ok ? 'agent.answer_accepted' : 'agent.answer_refused',
      ...(incidentId ? { incidentId } : {}),
      ...(check.ok ? {} : { justification: check.reason }),
      details: { answer: redactor.value(raw) as Record<string, unknown> },
    });
    if (check.ok) {
      outcome.answer = check.answer;
      return { done: end('answered', `The model concluded after ${outcome.turns} turns.`) };
    }
    outcome.refusals.push(check.reason);
    if (outcome.refusals.length >= MAX_REFUSALS) {
      return {
        done: end(
          'invalid-answer',
          `The model's answer was refused twice (${brief(check.reason)}); the engine's answer stands.`,
        ),
      };
    }
    await step(`Agent answer refused: ${brief(check.reason)}`);
    return {
      refused: `Answer refused: ${check.reason}. Fix it and call ${FINAL_ANSWER_TOOL} again; a second refusal ends the investigation with the engine's answer.`,
    };
  };

  const runToolCall = async (call: ToolCall): Promise<string> => {
    outcome.toolCalls += 1;
    const name = call.function.name;
    const tool = toolsByName.get(name);
    let rawArgs: unknown;
    try {
      rawArgs = JSON.parse(call.function.arguments || '{}');
    } catch {
      rawArgs = undefined;
    }
    const { reason: rawReason, ...rest } = trimStrings(rawArgs ?? {}) as Record<string, unknown>;
    const reason = ReasonSchema.safeParse(rawReason);
    const args = tool?.args.safeParse(rest);
    const record = async (details: Record<string, unknown>) =>
      audit.record({
        actor: 'agent',
        action: 'agent.tool_call',
        target: name,
        ...(incidentId ? { incidentId } : {}),
        ...(reason.success ? { justification: redactor.text(reason.data) } : {}),
        details: { tool: name, arguments: redactor.value(rest), ...details },
      });
    if (!tool) {
      await record({ executed: false, refused: 'unknown tool' });
      return `Error: there is no tool named "${name}". Available: ${[...toolsByName.keys(), FINAL_ANSWER_TOOL].join(', ')}.`;
    }
    if (rawArgs === undefined || !args?.success || !reason.success) {
      const problems = [
        rawArgs === undefined ? 'the arguments are not valid JSON' : '',
        args && !args.success ? z.prettifyError(args.error) : '',
        reason.success ? '' : 'every call needs a non-empty `reason` string',
      ].filter(Boolean);
      await record({ executed: false, refused: 'invalid arguments' });
      return `Error: invalid arguments for ${name}: ${problems.join('; ')}`;
    }
    const verdict = breaker.check(name, args.data);
    if (!verdict.allowed) {
      await record({ executed: false, refused: 'repeated call', breakerTrips: verdict.trips });
      return (
        `Not executed: you already called ${name} with these arguments twice and have its result. ` +
        'Change strategy: use what you have, look at a different object or kind, or submit final_answer.'
      );
    }
    await step(`Agent: ${name} — ${redactor.text(reason.data)}`);
    let result: unknown;
    try {
      result = await tool.run(args.data, reason.data);
    } catch (error) {
      result = { error: errorMessage(error) };
    }
    input.seen.add(result);
    const logs = filterLogsIn(result);
    const notes = logs.dropped > 0 ? [`${logs.dropped} log lines that do not look like errors were filtered out`] : [];
    const cut = cutToBudget(untrustedEnvelope(name, redactor.value(logs.value), notes), config.toolResultBudget);
    await record({
      executed: true,
      resultChars: cut.text.length,
      cutChars: cut.cutChars,
      logLinesFiltered: logs.dropped,
    });
    return cut.text;
  };

  while (true) {
    if (outcome.turns >= config.maxTurns) {
      return end(
        'turn-limit',
        `The model reached the turn limit (${config.maxTurns}) without an answer; the engine's answer stands.`,
      );
    }
    if (Date.now() >= input.deadline) {
      return end('time-limit', "The model ran out of time without an answer; the engine's answer stands.");
    }
    outcome.turns += 1;
    const lastTurn = outcome.turns === config.maxTurns;
    let response: ChatResponse;
    try {
      response = await completeWithRetry(
        input.client,
        { model: config.model, messages: history.messages(), ...offer(lastTurn) },
        input.deadline,
        auditModelCall,
      );
    } catch (error) {
      if (!(error instanceof ModelUnavailableError)) throw error;
      return end(
        'model-unavailable',
        `The model endpoint was unavailable (${brief(redactor.text(error.message))}); the engine's answer stands.`,
      );
    }
    const message = response.choices[0]?.message;
    const toolCalls = (message?.tool_calls ?? []).filter((call): call is ToolCall => call.type === 'function');
    const turn: Message[] = [
      {
        role: 'assistant',
        content: message?.content ?? null,
        ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}),
      },
    ];
    const summaries: string[] = [];

    if (toolCalls.length === 0) {
      const verdict = await judgeAnswer(answerFromContent(message?.content));
      if ('done' in verdict) return verdict.done;
      turn.push({ role: 'user', content: verdict.refused });
      history.push(turn, [`turn ${outcome.turns}: answer refused (${verdict.refused})`]);
      continue;
    }

    let finished: AgentOutcome | undefined;
    for (const call of toolCalls) {
      if (finished) {
        turn.push({ role: 'tool', tool_call_id: call.id, content: 'Not executed: the investigation has ended.' });
        continue;
      }
      if (call.function.name === FINAL_ANSWER_TOOL) {
        const verdict = await judgeAnswer(answerFromContent(call.function.arguments));
        if ('done' in verdict) {
          finished = verdict.done;
          continue;
        }
        turn.push({ role: 'tool', tool_call_id: call.id, content: verdict.refused });
        summaries.push(`final_answer refused: ${verdict.refused}`);
        continue;
      }
      if (lastTurn) {
        turn.push({
          role: 'tool',
          tool_call_id: call.id,
          content: 'Not executed: the last turn offers only final_answer.',
        });
        continue;
      }
      if (Date.now() >= input.deadline) {
        turn.push({ role: 'tool', tool_call_id: call.id, content: 'Not executed: the time limit was reached.' });
        continue;
      }
      const content = await runToolCall(call);
      turn.push({ role: 'tool', tool_call_id: call.id, content });
      summaries.push(`${call.function.name}(${redactor.text(call.function.arguments)}) → ${content.slice(0, 240)}`);
      if (breaker.trips >= config.maxBreakerTrips) {
        const note =
          `The agent repeated the same tool calls ${breaker.trips} times despite being told to change strategy; ` +
          "it stopped. A human should take over from the engine's answer and the evidence so far.";
        await step(note);
        finished = end('needs-human', note);
      }
    }
    if (finished) return finished;
    history.push(turn, summaries);
  }
}
