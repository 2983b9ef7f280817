import type OpenAI from 'openai';
import type { Alert } from '../alert/alert.ts';
import { type InvestigationContext, investigate } from '../investigation/engine.ts';
import type { ClusterSnapshot } from '../investigation/evidence/snapshot.ts';
import type { InvestigationResult, Progress } from '../investigation/model.ts';
import { type AgentOutcome, runAgentLoop } from './agent-loop.ts';
import { type ClusterAccess, clusterAccess } from './cluster-access.ts';
import { combineAnswers } from './combine.ts';
import type { AgentConfig } from './config.ts';
import { alertData, engineFindings, engineFindingsTool } from './engine-context.ts';
import { summariseGraph } from './graph-summary.ts';
import { createModelClient } from './model-client.ts';
import { redaction } from '../redaction/policy.ts';
import { SeenRefs } from './seen-refs.ts';
import { SYSTEM_PROMPT } from './system-prompt.ts';
import { cutToBudget } from './tool-result-budget.ts';
import { untrustedEnvelope } from './untrusted.ts';

export interface AgentInvestigation {
  /** What the thread shows: the model's answer when it was accepted, otherwise the engine's (with a note why). */
  result: InvestigationResult;
  engine: InvestigationResult;
  agent: AgentOutcome;
}

export interface AgentDependencies {
  client?: OpenAI;
  access?: ClusterAccess;
}

/**
 * The engine investigates first; the model then reasons over its findings with the same read-only tools, inside
 * the guardrails of the agent loop. Whatever happens to the model, the investigation ends with an answer.
 */
export async function investigateWithAgent(
  alert: Alert,
  ctx: InvestigationContext,
  config: AgentConfig,
  dependencies: AgentDependencies = {},
): Promise<AgentInvestigation> {
  // The engine's `done` is not the end of this investigation: only the combined result is.
  const forward = async (progress: Progress) => {
    if (progress.type !== 'done') await ctx.onProgress?.(progress);
  };
  let evidence: ClusterSnapshot | undefined;
  const engine = await investigate(alert, {
    ...ctx,
    onProgress: forward,
    onEvidence: (snapshot) => {
      evidence = snapshot;
      ctx.onEvidence?.(snapshot);
    },
  });
  const deadline = Date.now() + config.timeLimitMs;

  // The process's policy: it already knows the values of the Secrets the engine read (and learns those the model reads).
  const redactor = redaction;

  const seen = new SeenRefs();
  // Objects the engine's own reads returned count as seen: the model may cite them without reading them again.
  seen.add(evidence);
  const findings = engineFindings(engine, evidence ? summariseGraph(evidence) : []);
  seen.add(findings);
  const access = dependencies.access ?? clusterAccess(ctx, seen);
  const firstMessage = cutToBudget(
    `Investigate this incident.\n${untrustedEnvelope('alert', redactor.value(alertData(alert)))}\n` +
      `The deterministic engine's findings:\n${untrustedEnvelope('engine_findings', redactor.value(findings))}`,
    Math.floor(config.contextBudget / 3),
  ).text;

  await ctx.onProgress?.({ type: 'step', message: `Asking the model ${config.model} to check the engine's findings` });
  const agent = await runAgentLoop({
    client: dependencies.client ?? createModelClient(config),
    config,
    tools: [engineFindingsTool(findings), ...access.tools],
    redactor,
    seen,
    entityExists: access.entityExists,
    systemPrompt: SYSTEM_PROMPT,
    firstUserMessage: firstMessage,
    audit: ctx.audit,
    ...(ctx.incidentId ? { incidentId: ctx.incidentId } : {}),
    ...(ctx.onProgress ? { onProgress: ctx.onProgress } : {}),
    ...(ctx.signal ? { signal: ctx.signal } : {}),
    deadline,
  });
  const result = combineAnswers(engine, agent);
  await ctx.audit.record({
    actor: 'agent',
    action: 'agent.finished',
    ...(ctx.incidentId ? { incidentId: ctx.incidentId } : {}),
    justification: redactor.text(agent.message),
    details: {
      status: agent.status,
      model: agent.model,
      turns: agent.turns,
      modelCalls: agent.modelCalls,
      toolCalls: agent.toolCalls,
      breakerTrips: agent.breakerTrips,
      tokensIn: agent.tokens.prompt,
      tokensOut: agent.tokens.completion,
      rootCause: result.rootCause,
      engineRootCause: engine.rootCause,
    },
  });
  await ctx.onProgress?.({ type: 'done', result });
  return { result, engine, agent };
}

/** What the worker runs: the engine alone, or the engine with the agent on top when a model is configured. */
export async function investigateIncident(
  alert: Alert,
  ctx: InvestigationContext,
  agent: AgentConfig | null,
): Promise<InvestigationResult> {
  return agent ? (await investigateWithAgent(alert, ctx, agent)).result : investigate(alert, ctx);
}
