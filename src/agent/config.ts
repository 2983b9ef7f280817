import { z } from 'zod';

/** Agent mode is on only when a key is configured; everything else has a default. */
export const AgentEnvSchema = z.object({
  OPENAI_API_KEY: z.string().min(1).optional(),
  OPENAI_BASE_URL: z.url().optional(),
  OPENAI_MODEL: z.string().min(1).default('gpt-4o-mini'),
  AGENT_MAX_TURNS: z.coerce.number().int().positive().default(30),
  AGENT_TIME_LIMIT_SECONDS: z.coerce.number().positive().default(120),
});

export interface AgentConfig {
  apiKey: string;
  /** Any OpenAI-compatible endpoint (vLLM, Ollama, Azure…); the SDK's default when absent. */
  baseURL?: string;
  model: string;
  maxTurns: number;
  timeLimitMs: number;
  /** Characters of one tool result the model sees; the rest is cut with a note. */
  toolResultBudget: number;
  /** Characters of the whole conversation before old turns are replaced by a summary. */
  contextBudget: number;
  /** Circuit-breaker trips after which the agent stops and asks a human. */
  maxBreakerTrips: number;
}

export const AGENT_DEFAULTS = {
  toolResultBudget: 6_000,
  contextBudget: 60_000,
  maxBreakerTrips: 3,
} as const;

export type AgentEnv = z.output<typeof AgentEnvSchema>;

/** `null` when no model is configured: the investigation stays engine-only. */
export function agentConfigFrom(env: AgentEnv): AgentConfig | null {
  if (!env.OPENAI_API_KEY) return null;
  return {
    apiKey: env.OPENAI_API_KEY,
    ...(env.OPENAI_BASE_URL ? { baseURL: env.OPENAI_BASE_URL } : {}),
    model: env.OPENAI_MODEL,
    maxTurns: env.AGENT_MAX_TURNS,
    timeLimitMs: env.AGENT_TIME_LIMIT_SECONDS * 1000,
    ...AGENT_DEFAULTS,
  };
}

/** For processes that do not load the whole configuration (the CLI): reads and validates only the agent's part. */
export function agentConfigFromEnv(env: Record<string, string | undefined>): AgentConfig | null {
  // An empty value counts as unset, as in most .env tooling.
  return agentConfigFrom(
    AgentEnvSchema.parse(Object.fromEntries(Object.entries(env).filter(([, value]) => value !== ''))),
  );
}
