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
  /** The steps the investigation said it took, in order (what the thread hears). */
  steps: string[];
}

/** A scenario file through the production path: served by the simulation, investigated by the real client, at its `now`. */
export async function replayScenarioFile(path: string): Promise<Replay> {
  return replayScenario(await loadScenario(path));
}

/** A scenario (a file's, or one a test builds) through the production path, as replayScenarioFile. */
export async function replayScenario(scenario: Scenario): Promise<Replay> {
  const simulation = await startSimulation(scenario);
  const steps: string[] = [];
  try {
    const result = await investigate(AlertSchema.parse(scenario.alert), {
      kubeConfig: simulation.kubeConfig,
      prometheusUrl: simulation.prometheusUrl,
      audit: new MemoryAuditLog(),
      now: new Date(scenario.now),
      onProgress: (progress) => {
        if (progress.type === 'step') steps.push(progress.message);
      },
    });
    return { scenario, result, requests: simulation.requests(), steps };
  } finally {
    await simulation.close();
  }
}
