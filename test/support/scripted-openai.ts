import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AGENT_DEFAULTS, type AgentConfig } from '../../src/agent/config.ts';

/**
 * A real OpenAI-compatible HTTP server for tests: POST /v1/chat/completions answers from a script, and every
 * request body is recorded so a test can assert what would have left the process.
 */

export interface ScriptedReply {
  status?: number;
  headers?: Record<string, string>;
  body: unknown;
}

export interface RecordedRequest {
  path: string;
  headers: IncomingMessage['headers'];
  /** The raw body as received, to search for anything that must never be sent. */
  raw: string;
  body: ChatRequestBody;
}

export interface ChatRequestBody {
  model: string;
  messages: { role: string; content: string | null; tool_calls?: ToolCallBody[]; tool_call_id?: string }[];
  tools?: { type: string; function: { name: string; description?: string; parameters: Record<string, unknown> } }[];
  tool_choice?: 'auto' | 'none' | 'required' | { type: 'function'; function: { name: string } };
}

interface ToolCallBody {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

/** A step of the script: a fixed reply or one computed from the request (and how many came before). */
export type ScriptStep = ScriptedReply | ((request: ChatRequestBody, index: number) => ScriptedReply);

export interface ScriptedOpenAI {
  /** e.g. http://127.0.0.1:PORT/v1 — what OPENAI_BASE_URL would be. */
  baseURL: string;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

let callCounter = 0;

/** An assistant reply that calls tools. `args` are sent as the model would: a JSON string. */
export function toolCalls(...calls: { name: string; args: Record<string, unknown> }[]): ScriptedReply {
  return completion(
    {
      role: 'assistant',
      content: null,
      tool_calls: calls.map((call) => ({
        id: `call_${++callCounter}`,
        type: 'function',
        function: { name: call.name, arguments: JSON.stringify(call.args) },
      })),
    },
    'tool_calls',
  );
}

export const toolCall = (name: string, args: Record<string, unknown>): ScriptedReply => toolCalls({ name, args });

export const finalAnswer = (answer: unknown): ScriptedReply =>
  toolCall('final_answer', answer as Record<string, unknown>);

export const textReply = (content: string): ScriptedReply => completion({ role: 'assistant', content }, 'stop');

export const errorReply = (status: number, headers: Record<string, string> = {}): ScriptedReply => ({
  status,
  headers,
  body: { error: { message: `scripted ${status}`, type: 'scripted_error', code: null, param: null } },
});

function completion(message: Record<string, unknown>, finishReason: string): ScriptedReply {
  return {
    body: {
      id: `chatcmpl-${++callCounter}`,
      object: 'chat.completion',
      created: Math.floor(Date.now() / 1000),
      model: 'scripted-model',
      choices: [{ index: 0, message, finish_reason: finishReason, logprobs: null }],
      usage: { prompt_tokens: 100, completion_tokens: 20, total_tokens: 120 },
    },
  };
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * Replies with the script in order; once it is exhausted the last step repeats (a model stuck in a loop), or a
 * 500 if the script was empty.
 */
export async function startScriptedOpenAI(script: ScriptStep[]): Promise<ScriptedOpenAI> {
  const requests: RecordedRequest[] = [];
  const server: Server = createServer(async (request, response) => {
    const raw = await readBody(request);
    if (request.method !== 'POST' || request.url !== '/v1/chat/completions') {
      response.writeHead(404, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ error: { message: 'not found' } }));
      return;
    }
    const body = JSON.parse(raw) as ChatRequestBody;
    const index = requests.length;
    requests.push({ path: request.url, headers: request.headers, raw, body });
    const step = script[Math.min(index, script.length - 1)];
    const reply: ScriptedReply = !step ? errorReply(500) : typeof step === 'function' ? step(body, index) : step;
    response.writeHead(reply.status ?? 200, { 'content-type': 'application/json', ...reply.headers });
    response.end(JSON.stringify(reply.body));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    baseURL: `http://127.0.0.1:${port}/v1`,
    requests,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
  };
}

/** The agent's configuration against a scripted server: generous limits unless a test narrows them. */
export function scriptedAgentConfig(server: ScriptedOpenAI, overrides: Partial<AgentConfig> = {}): AgentConfig {
  return {
    apiKey: 'test-key',
    baseURL: server.baseURL,
    model: 'scripted-model',
    maxTurns: 30,
    timeLimitMs: 20_000,
    ...AGENT_DEFAULTS,
    ...overrides,
  };
}
