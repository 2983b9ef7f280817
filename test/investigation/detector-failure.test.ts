import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { MemoryAuditLog } from '../../src/audit/audit-log.ts';
import type { Detector } from '../../src/investigation/detectors/detector.ts';
import { DETECTORS, type DetectorRegistry } from '../../src/investigation/detectors/index.ts';
import { investigate } from '../../src/investigation/engine.ts';
import type { Finding } from '../../src/investigation/model.ts';
import { AlertSchema } from '../../src/alert/alert.ts';
import { parseScenario } from '../../src/simulation/scenario.ts';
import { type Simulation, startSimulation } from '../../src/simulation/simulation.ts';
import { NOW, NS, TOOL_SCENARIO } from './tool-scenario.ts';

const scenario = parseScenario(TOOL_SCENARIO, 'tools-small');
let simulation: Simulation;
before(async () => {
  simulation = await startSimulation(scenario);
});
after(() => simulation.close());

test('every registered detector is keyed by its own id', () => {
  assert.deepEqual(
    Object.entries(DETECTORS).filter(([id, detector]) => id !== detector.id),
    [],
  );
});

test('a detector that throws is named in the answer’s assumptions and in the audit trail; the others still answer', async () => {
  const broken: Detector = {
    id: 'broken-shape',
    faultTypes: ['other'],
    detect: () => {
      throw new Error('spec.template is undefined');
    },
  };
  const audit = new MemoryAuditLog();
  const alert = AlertSchema.parse(scenario.alert);
  const run = (detectors: DetectorRegistry = DETECTORS) =>
    investigate(alert, {
      kubeConfig: simulation.kubeConfig,
      audit,
      incidentId: 'inc-1',
      now: new Date(NOW),
      detectors,
    });
  const healthy = await run();
  const withBroken = await run({ ...DETECTORS, 'broken-shape': broken });

  assert.deepEqual(withBroken.rootCause, healthy.rootCause);
  assert.deepEqual(
    withBroken.assumptions.filter((line) => !healthy.assumptions.includes(line)),
    ['Detector broken-shape failed (spec.template is undefined): the faults it looks for were not checked'],
  );
  const failures = audit.entries.filter((entry) => entry.action === 'investigation.detector_failed');
  assert.deepEqual(
    failures.map(({ target, incidentId, justification }) => ({ target, incidentId, justification })),
    [{ target: 'detector:broken-shape', incidentId: 'inc-1', justification: 'spec.template is undefined' }],
  );
});

test('a diagnosis of partial evidence that throws is said in the answer and the audit trail, not swallowed', async () => {
  // The first diagnosis (after the first wave) is handed a finding the ranking cannot place; the later ones are not.
  let calls = 0;
  const misshapen: Detector = {
    id: 'misshapen-finding',
    faultTypes: ['other'],
    detect: () => (calls++ === 0 ? [{ detector: 'misshapen-finding' } as unknown as Finding] : []),
  };
  const audit = new MemoryAuditLog();
  const alert = AlertSchema.parse(scenario.alert);
  const context = { kubeConfig: simulation.kubeConfig, audit, incidentId: 'inc-2', now: new Date(NOW) };
  const healthy = await investigate(alert, context);
  const result = await investigate(alert, { ...context, detectors: { ...DETECTORS, 'misshapen-finding': misshapen } });

  assert.ok(calls > 1, 'the later evidence was diagnosed again');
  assert.deepEqual(result.rootCause, healthy.rootCause);
  const added = result.assumptions.filter((line) => !healthy.assumptions.includes(line));
  assert.equal(added.length, 1);
  assert.match(
    added[0] ?? '',
    new RegExp(`^Diagnosing the evidence read in ${NS} failed \\(.+\\): running hypotheses`),
  );
  const failures = audit.entries.filter((entry) => entry.action === 'investigation.diagnosis_failed');
  assert.deepEqual(
    failures.map(({ target, incidentId }) => ({ target, incidentId })),
    [{ target: `namespace:${NS}`, incidentId: 'inc-2' }],
  );
});
