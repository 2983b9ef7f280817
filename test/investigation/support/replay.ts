import { AlertSchema } from '../../../src/alert/alert.ts';
import { MemoryAuditLog } from '../../../src/audit/audit-log.ts';
import { investigate } from '../../../src/investigation/engine.ts';
import type { InvestigationResult } from '../../../src/investigation/model.ts';
import { loadScenario, type Scenario } from '../../../src/simulation/scenario.ts';
import { type Simulation, startSimulation } from '../../../src/simulation/simulation.ts';

export interface Replay {
  scenario: Scenario;
  result: InvestigationResult;
  /** The requests the investigation sent to the simulated API server and Prometheus, in order. */
  requests: ReturnType<Simulation['requests']>;
}

/** A scenario file through the production path: served by the simulation, investigated by the real client, at its `now`. */
export async function replayScenarioFile(path: string): Promise<Replay> {
  const scenario = await loadScenario(path);
  const simulation = await startSimulation(scenario);
  try {
    const result = await investigate(AlertSchema.parse(scenario.alert), {
      kubeConfig: simulation.kubeConfig,
      prometheusUrl: simulation.prometheusUrl,
      audit: new MemoryAuditLog(),
      now: new Date(scenario.now),
    });
    return { scenario, result, requests: simulation.requests() };
  } finally {
    await simulation.close();
  }
}
