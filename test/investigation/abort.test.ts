import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { AlertSchema } from '../../src/alert/alert.ts';
import { MemoryAuditLog } from '../../src/audit/audit-log.ts';
import { investigate } from '../../src/investigation/engine.ts';
import { parseScenario } from '../../src/simulation/scenario.ts';
import { type Simulation, startSimulation } from '../../src/simulation/simulation.ts';
import { NOW, TOOL_SCENARIO } from './tool-scenario.ts';

const scenario = parseScenario(TOOL_SCENARIO, 'tools-small');
let simulation: Simulation;
before(async () => {
  simulation = await startSimulation(scenario);
});
after(() => simulation.close());

test("an aborted signal (the worker's job cancelled) stops the investigation at its next step, with the abort's reason", async () => {
  const controller = new AbortController();
  const audit = new MemoryAuditLog();
  const steps: string[] = [];
  await assert.rejects(
    investigate(AlertSchema.parse(scenario.alert), {
      kubeConfig: simulation.kubeConfig,
      audit,
      incidentId: 'inc-1',
      now: new Date(NOW),
      signal: controller.signal,
      onProgress: (progress) => {
        if (progress.type === 'step') steps.push(progress.message);
        controller.abort(new Error('job cancelled'));
      },
    }),
    /job cancelled/,
  );
  assert.equal(steps.length, 1);
  assert.equal(
    audit.entries.some((entry) => entry.action === 'investigation.decided'),
    false,
  );
});
