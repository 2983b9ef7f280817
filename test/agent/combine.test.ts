import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AgentOutcome } from '../../src/agent/agent-loop.ts';
import { combineAnswers } from '../../src/agent/combine.ts';
import type { InvestigationResult } from '../../src/investigation/model.ts';

const configMap = { kind: 'ConfigMap', namespace: 'shop', name: 'api-config' };
const deployment = { kind: 'Deployment', namespace: 'shop', name: 'api' };

const engine: InvestigationResult = {
  rootCause: deployment,
  faultType: 'bad-env',
  confidence: 0.6,
  summary: 'The api Deployment sets a bad env value',
  hypotheses: [
    { entity: deployment, faultType: 'bad-env', confidence: 0.6, summary: 'bad env', evidence: [], path: [deployment] },
  ],
  ruledOut: [{ entity: { kind: 'Node', name: 'n1' }, reason: 'Ready' }],
  remediation: {
    summary: 'roll back',
    action: { type: 'rollout-restart', kind: 'Deployment', namespace: 'shop', name: 'api' },
  },
  assumptions: [],
};

const outcome = (overrides: Partial<AgentOutcome>): AgentOutcome => ({
  status: 'answered',
  answer: null,
  message: 'The model concluded after 3 turns.',
  model: 'm',
  turns: 3,
  modelCalls: 3,
  toolCalls: 2,
  breakerTrips: 0,
  refusals: [],
  tokens: { prompt: 1, completion: 1 },
  ...overrides,
});

const answer = (rootCause: typeof configMap) => ({
  rootCause,
  faultType: 'feature-flag' as const,
  confidence: 0.8,
  summary: 'MODE=broken breaks the pods.',
  evidence: [{ source: 'spec' as const, ref: configMap, text: 'MODE: broken' }],
  ruledOut: [{ entity: deployment, reason: 'its spec did not change' }],
});

describe('combineAnswers', () => {
  it('keeps the engine answer, with the reason, when the model did not answer', () => {
    const result = combineAnswers(engine, outcome({ status: 'turn-limit', message: 'turn limit reached' }));
    assert.deepEqual(result.rootCause, deployment);
    assert.deepEqual(result.remediation, engine.remediation);
    assert.ok(result.assumptions.includes('turn limit reached'));
    assert.equal(result.engineAnswer, undefined);
  });

  it('shows both answers and proposes no remediation when they disagree', () => {
    const result = combineAnswers(engine, outcome({ answer: answer(configMap) }));
    assert.deepEqual(result.rootCause, configMap);
    assert.deepEqual(result.engineAnswer?.rootCause, deployment);
    assert.equal(result.remediation, null);
    assert.match(result.summary, /engine named Deployment\/shop\/api \(bad-env, confidence 0.60\) instead/);
    assert.deepEqual(
      result.hypotheses.map((h) => h.entity),
      [configMap, deployment],
    );
    assert.deepEqual(
      result.ruledOut.map((r) => r.entity),
      [deployment, { kind: 'Node', name: 'n1' }],
    );
  });

  it("keeps the engine's remediation when both name the same entity", () => {
    const result = combineAnswers(engine, outcome({ answer: { ...answer(deployment), ruledOut: [] } }));
    assert.deepEqual(result.remediation, engine.remediation);
    assert.equal(result.engineAnswer, undefined);
    assert.match(result.summary, /reached the same conclusion/);
  });
});
