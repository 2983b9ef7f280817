import { z } from 'zod';
import { agentConfigFromEnv, type AgentConfig } from '../agent/config.ts';
import type { AgentOutcome } from '../agent/agent-loop.ts';
import type { InvestigationResult } from '../investigation/model.ts';
import { UsageError } from './args.ts';
import { errorMessage } from '../observability/error-message.ts';

export const AGENT_USAGE = `  --agent             add the LLM agent on top of the engine, against the endpoint in OPENAI_API_KEY,
                      OPENAI_BASE_URL (any OpenAI-compatible server), OPENAI_MODEL, AGENT_MAX_TURNS,
                      AGENT_TIME_LIMIT_SECONDS`;

/** `--agent`: the model endpoint comes from the environment, like the server's. */
export function agentOption(enabled: boolean | undefined, usage: string): AgentConfig | undefined {
  if (!enabled) return undefined;
  let config: AgentConfig | null;
  try {
    config = agentConfigFromEnv(process.env);
  } catch (error) {
    throw new UsageError(
      `--agent: ${error instanceof z.ZodError ? z.prettifyError(error) : errorMessage(error)}`,
      usage,
    );
  }
  if (!config)
    throw new UsageError('--agent needs OPENAI_API_KEY (and OPENAI_BASE_URL for a non-OpenAI endpoint)', usage);
  return config;
}

/** What agent mode adds beside an answer: the engine's own answer and what the agent did. */
export const agentSummary = (engine: InvestigationResult, agent: AgentOutcome) => ({
  engine: {
    rootCause: engine.rootCause,
    faultType: engine.faultType,
    confidence: engine.confidence,
    hypotheses: engine.hypotheses,
  },
  agent: {
    status: agent.status,
    message: agent.message,
    model: agent.model,
    turns: agent.turns,
    toolCalls: agent.toolCalls,
    tokens: agent.tokens,
  },
});
