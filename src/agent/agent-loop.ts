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
  /** Aborted (the worker's job cancelled): the loop throws its reason before the next model or tool call. */
  signal?: AbortSignal;
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

/** A tool call's reply, with the line the history keeps when the turn is folded. */
type CallReply = { content: string; summary?: string };

/** Arguments as the model sent them, checked against the tool's schema and the required `reason`. */
type ParsedCall =
  | { ok: true; args: unknown; reason: string; rest: Record<string, unknown> }
  | { ok: false; problems: string[]; reason: string | undefined; rest: Record<string, unknown> };

export async function runAgentLoop(input: AgentLoopInput): Promise<AgentOutcome> {
  return new AgentLoop(input).run();
}

/**
 * One agent investigation: turns of model call → tool calls, until an accepted answer, a second refusal, the turn
 * or time limit, an unavailable model, or a breaker that tripped too often. The outcome is this object's one
 * mutable state; every ending goes through `end`.
 */
class AgentLoop {
  private readonly input: AgentLoopInput;
  private readonly toolsByName: Map<string, AgentTool>;
  private readonly openAITools: OpenAI.Chat.Completions.ChatCompletionFunctionTool[];
  private readonly breaker: CircuitBreaker;
  private readonly history: ConversationHistory;
  private readonly outcome: AgentOutcome;

  constructor(input: AgentLoopInput) {
    this.input = input;
    this.toolsByName = new Map(input.tools.map((tool) => [tool.name, tool]));
    this.openAITools = [...input.tools.map(toOpenAITool), finalAnswerTool];
    this.breaker = new CircuitBreaker(2, input.config.maxBreakerTrips);
    this.history = new ConversationHistory(
      [
        { role: 'system', content: input.systemPrompt },
        { role: 'user', content: input.firstUserMessage },
      ],
      input.config.contextBudget,
    );
    this.outcome = {
      status: 'turn-limit',
      answer: null,
      message: '',
      model: input.config.model,
      turns: 0,
      modelCalls: 0,
      toolCalls: 0,
      breakerTrips: 0,
      refusals: [],
      tokens: { prompt: 0, completion: 0 },
    };
  }

  async run(): Promise<AgentOutcome> {
    while (true) {
      const ended = this.limitReached() ?? (await this.turn());
      if (ended) return ended;
    }
  }

  /** Checked before each turn: no model call starts past the turn limit or the deadline. */
  private limitReached(): AgentOutcome | undefined {
    this.input.signal?.throwIfAborted();
    const { maxTurns } = this.input.config;
    if (this.outcome.turns >= maxTurns) {
      return this.end(
        'turn-limit',
        `The model reached the turn limit (${maxTurns}) without an answer; the engine's answer stands.`,
      );
    }
    if (Date.now() >= this.input.deadline) {
      return this.end('time-limit', "The model ran out of time without an answer; the engine's answer stands.");
    }
    return undefined;
  }

  /** One model call and what it asked for. Returns the outcome when the loop ends, otherwise extends the history. */
  private async turn(): Promise<AgentOutcome | undefined> {
    this.outcome.turns += 1;
    const lastTurn = this.outcome.turns === this.input.config.maxTurns;
    const response = await this.callModel(lastTurn);
    if ('status' in response) return response;
    const message = response.choices[0]?.message;
    const toolCalls = (message?.tool_calls ?? []).filter((call): call is ToolCall => call.type === 'function');
    const turn: Message[] = [
      {
        role: 'assistant',
        content: message?.content ?? null,
        ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}),
      },
    ];

    if (toolCalls.length === 0) {
      const verdict = await this.judgeAnswer(answerFromContent(message?.content));
      if ('done' in verdict) return verdict.done;
      turn.push({ role: 'user', content: verdict.refused });
      this.history.push(turn, [`turn ${this.outcome.turns}: answer refused (${verdict.refused})`]);
      return undefined;
    }

    const summaries: string[] = [];
    let finished: AgentOutcome | undefined;
    for (const call of toolCalls) {
      const reply: CallReply | AgentOutcome = finished
        ? { content: 'Not executed: the investigation has ended.' }
        : await this.answerCall(call, lastTurn);
      if ('status' in reply) {
        finished = reply;
        continue;
      }
      turn.push({ role: 'tool', tool_call_id: call.id, content: reply.content });
      if (reply.summary) summaries.push(reply.summary);
    }
    if (finished) return finished;
    this.history.push(turn, summaries);
    return undefined;
  }

  /** The model's reply, or the outcome when the endpoint stayed unavailable (other errors are not ours to hide). */
  private async callModel(lastTurn: boolean): Promise<ChatResponse | AgentOutcome> {
    const { config, client, deadline, redactor } = this.input;
    try {
      return await completeWithRetry(
        client,
        { model: config.model, messages: this.history.messages(), ...this.offer(lastTurn) },
        deadline,
        this.auditModelCall,
      );
    } catch (error) {
      if (!(error instanceof ModelUnavailableError)) throw error;
      return this.end(
        'model-unavailable',
        `The model endpoint was unavailable (${brief(redactor.text(error.message))}); the engine's answer stands.`,
      );
    }
  }

  // The last allowed turn offers only final_answer, and requires it: the model must answer rather than read on
  // into the turn limit (as HolmesGPT drops the tools on its last iteration).
  private offer(lastTurn: boolean) {
    return lastTurn
      ? {
          tools: [finalAnswerTool],
          tool_choice: { type: 'function' as const, function: { name: FINAL_ANSWER_TOOL } },
        }
      : { tools: this.openAITools, tool_choice: 'auto' as const };
  }

  /** One tool call of a turn: an answer to judge, a tool to run, or one not run (last turn, deadline). */
  private async answerCall(call: ToolCall, lastTurn: boolean): Promise<CallReply | AgentOutcome> {
    if (call.function.name === FINAL_ANSWER_TOOL) {
      const verdict = await this.judgeAnswer(answerFromContent(call.function.arguments));
      if ('done' in verdict) return verdict.done;
      return { content: verdict.refused, summary: `final_answer refused: ${verdict.refused}` };
    }
    if (lastTurn) return { content: 'Not executed: the last turn offers only final_answer.' };
    this.input.signal?.throwIfAborted();
    if (Date.now() >= this.input.deadline) return { content: 'Not executed: the time limit was reached.' };
    const content = await this.runToolCall(call);
    const summary = `${call.function.name}(${this.input.redactor.text(call.function.arguments)}) → ${content.slice(0, 240)}`;
    if (this.breaker.trips >= this.input.config.maxBreakerTrips) {
      const note =
        `The agent repeated the same tool calls ${this.breaker.trips} times despite being told to change strategy; ` +
        "it stopped. A human should take over from the engine's answer and the evidence so far.";
      await this.step(note);
      return this.end('needs-human', note);
    }
    return { content, summary };
  }

  /** Refuses an answer once with the reason; the second refusal ends the loop. Returns the outcome when it ends. */
  private async judgeAnswer(raw: unknown): Promise<{ done: AgentOutcome } | { refused: string }> {
    const { audit, incidentId, redactor } = this.input;
    const check = await checkAnswer(raw, this.input.seen, this.input.entityExists);
    await audit.record({
      actor: 'agent',
      action: check.ok ? 'agent.answer_accepted' : 'agent.answer_refused',
      ...(incidentId ? { incidentId } : {}),
      ...(check.ok ? {} : { justification: check.reason }),
      details: { answer: redactor.value(raw) as Record<string, unknown> },
    });
    if (check.ok) {
      this.outcome.answer = check.answer;
      return { done: this.end('answered', `The model concluded after ${this.outcome.turns} turns.`) };
    }
    this.outcome.refusals.push(check.reason);
    if (this.outcome.refusals.length >= MAX_REFUSALS) {
      return {
        done: this.end(
          'invalid-answer',
          `The model's answer was refused twice (${brief(check.reason)}); the engine's answer stands.`,
        ),
      };
    }
    await this.step(`Agent answer refused: ${brief(check.reason)}`);
    return {
      refused: `Answer refused: ${check.reason}. Fix it and call ${FINAL_ANSWER_TOOL} again; a second refusal ends the investigation with the engine's answer.`,
    };
  }

  /** Runs one tool the model asked for, or says why not; returns the tool message's content. Every call is audited. */
  private async runToolCall(call: ToolCall): Promise<string> {
    this.outcome.toolCalls += 1;
    const name = call.function.name;
    const tool = this.toolsByName.get(name);
    const parsed = parseCall(call, tool);
    const record = (details: Record<string, unknown>) => this.auditToolCall(name, parsed, details);
    if (!tool) {
      await record({ executed: false, refused: 'unknown tool' });
      return `Error: there is no tool named "${name}". Available: ${[...this.toolsByName.keys(), FINAL_ANSWER_TOOL].join(', ')}.`;
    }
    if (!parsed.ok) {
      await record({ executed: false, refused: 'invalid arguments' });
      return `Error: invalid arguments for ${name}: ${parsed.problems.join('; ')}`;
    }
    const verdict = this.breaker.check(name, parsed.args);
    if (!verdict.allowed) {
      await record({ executed: false, refused: 'repeated call', breakerTrips: verdict.trips });
      return (
        `Not executed: you already called ${name} with these arguments twice and have its result. ` +
        'Change strategy: use what you have, look at a different object or kind, or submit final_answer.'
      );
    }
    await this.step(`Agent: ${name} — ${this.input.redactor.text(parsed.reason)}`);
    let result: unknown;
    try {
      result = await tool.run(parsed.args, parsed.reason);
    } catch (error) {
      result = { error: errorMessage(error) };
    }
    this.input.seen.add(result);
    const logs = filterLogsIn(result);
    const notes = logs.dropped > 0 ? [`${logs.dropped} log lines that do not look like errors were filtered out`] : [];
    const cut = cutToBudget(
      untrustedEnvelope(name, this.input.redactor.value(logs.value), notes),
      this.input.config.toolResultBudget,
    );
    await record({
      executed: true,
      resultChars: cut.text.length,
      cutChars: cut.cutChars,
      logLinesFiltered: logs.dropped,
    });
    return cut.text;
  }

  private async auditToolCall(name: string, parsed: ParsedCall, details: Record<string, unknown>) {
    const { audit, incidentId, redactor } = this.input;
    await audit.record({
      actor: 'agent',
      action: 'agent.tool_call',
      target: name,
      ...(incidentId ? { incidentId } : {}),
      ...(parsed.reason !== undefined ? { justification: redactor.text(parsed.reason) } : {}),
      details: { tool: name, arguments: redactor.value(parsed.rest), ...details },
    });
  }

  // An arrow property: completeWithRetry calls it back after every attempt.
  private readonly auditModelCall = async (
    attempt: { attempt: number; latencyMs: number; status?: number; error?: string },
    response?: ChatResponse,
  ) => {
    const { audit, config, incidentId, redactor } = this.input;
    this.outcome.modelCalls += 1;
    this.outcome.tokens.prompt += response?.usage?.prompt_tokens ?? 0;
    this.outcome.tokens.completion += response?.usage?.completion_tokens ?? 0;
    await audit.record({
      actor: 'agent',
      action: 'agent.model_call',
      target: config.model,
      ...(incidentId ? { incidentId } : {}),
      details: {
        model: response?.model ?? config.model,
        turn: this.outcome.turns,
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

  private end(status: AgentStatus, message: string): AgentOutcome {
    this.outcome.status = status;
    this.outcome.message = message;
    this.outcome.breakerTrips = this.breaker.trips;
    return this.outcome;
  }

  private async step(message: string) {
    await this.input.onProgress?.({ type: 'step', message });
  }
}

/** A tool call's arguments: valid JSON, the tool's schema (when the tool exists) and a non-empty `reason`. */
function parseCall(call: ToolCall, tool: AgentTool | undefined): ParsedCall {
  let rawArgs: unknown;
  try {
    rawArgs = JSON.parse(call.function.arguments || '{}');
  } catch {
    rawArgs = undefined;
  }
  const { reason: rawReason, ...rest } = trimStrings(rawArgs ?? {}) as Record<string, unknown>;
  const reason = ReasonSchema.safeParse(rawReason);
  const args = tool?.args.safeParse(rest);
  if (rawArgs !== undefined && args?.success && reason.success) {
    return { ok: true, args: args.data, reason: reason.data, rest };
  }
  const problems = [
    rawArgs === undefined ? 'the arguments are not valid JSON' : '',
    args && !args.success ? z.prettifyError(args.error) : '',
    reason.success ? '' : 'every call needs a non-empty `reason` string',
  ].filter(Boolean);
  return { ok: false, problems, reason: reason.success ? reason.data : undefined, rest };
}
