import type { KubeConfig } from '@kubernetes/client-node';
import type { AgentOutcome } from '../agent/agent-loop.ts';
import type { AgentConfig } from '../agent/config.ts';
import { investigateWithAgent } from '../agent/investigate-with-agent.ts';
import { type Alert, AlertSchema } from '../alert/alert.ts';
import { MemoryAuditLog } from '../audit/audit-log.ts';
import { investigate } from '../investigation/engine.ts';
import type { InvestigationResult, ProgressListener } from '../investigation/model.ts';
import type { Scenario } from '../simulation/scenario.ts';
import { startSimulation } from '../simulation/simulation.ts';

export interface Replay {
  result: InvestigationResult;
  /** Requests the simulated servers answered during the investigation. */
  requests: number;
  /** Wall time of the investigation alone (not the simulators' start-up). */
  ms: number;
  /** Agent mode only: the engine's own answer (`result` is the agent's when it was accepted) and what the agent did. */
  engine?: InvestigationResult;
  agent?: AgentOutcome;
}

export interface ReplayOptions {
  onProgress?: ProgressListener;
  /** Runs after the investigation while the simulated cluster is still up (e.g. to derive the plan); not counted. */
  afterInvestigation?: (result: InvestigationResult, kubeConfig: KubeConfig) => Promise<void>;
  /** Runs the LLM agent on top of the engine against this model endpoint. */
  agent?: AgentConfig | undefined;
}

/** What reached the on-call engineer; the only part of a scenario the investigation is given. */
export const scenarioAlert = (scenario: Scenario): Alert => AlertSchema.parse(scenario.alert);

/**
 * Replays one scenario: the production investigate() against the simulated API servers, reached only through
 * the kubeconfig and Prometheus URL — never the scenario object — at the scenario's clock.
 */
export async function replayScenario(scenario: Scenario, options: ReplayOptions = {}): Promise<Replay> {
  const simulation = await startSimulation(scenario);
  try {
    const started = performance.now();
    const ctx = {
      kubeConfig: simulation.kubeConfig,
      prometheusUrl: simulation.prometheusUrl,
      audit: new MemoryAuditLog(),
      now: new Date(scenario.now),
      onProgress: options.onProgress,
    };
    const alert = scenarioAlert(scenario);
    const { result, ...agentMode } = options.agent
      ? await investigateWithAgent(alert, ctx, options.agent)
      : { result: await investigate(alert, ctx) };
    const ms = Math.round(performance.now() - started);
    const requests = simulation.requests().length;
    await options.afterInvestigation?.(result, simulation.kubeConfig);
    return { result, requests, ms, ...agentMode };
  } finally {
    await simulation.close();
  }
}
