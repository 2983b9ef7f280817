import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { hypothesisChanges } from '../../src/investigation/hypothesis-changes.ts';
import type { Hypothesis } from '../../src/investigation/model.ts';

const hypothesis = (name: string, confidence: number, faultType: Hypothesis['faultType'] = 'oom-limit'): Hypothesis => {
  const entity = { kind: 'Deployment', namespace: 'ns', name };
  return { entity, faultType, confidence, summary: `${name} is broken`, evidence: [], path: [entity] };
};

const summary = (changes: ReturnType<typeof hypothesisChanges>) =>
  changes.map((change) =>
    change.type === 'hypothesis'
      ? `${change.change} ${change.hypothesis.entity.name}${change.reason ? `: ${change.reason}` : ''}`
      : change.type,
  );

describe('hypothesisChanges', () => {
  it('announces every hypothesis of the first diagnosis as added', () => {
    assert.deepEqual(summary(hypothesisChanges(null, { hypotheses: [hypothesis('a', 0.5)], ruledOut: [] })), [
      'added a',
    ]);
  });

  it('says strengthened only when confidence rises notably, and nothing when it holds', () => {
    const before = { hypotheses: [hypothesis('a', 0.5), hypothesis('b', 0.5)], ruledOut: [] };
    const after = { hypotheses: [hypothesis('a', 0.8), hypothesis('b', 0.52)], ruledOut: [] };
    assert.deepEqual(summary(hypothesisChanges(before, after)), ['strengthened a']);
  });

  it('rules out a vanished hypothesis with the ranking’s reason, or a default one', () => {
    const before = { hypotheses: [hypothesis('a', 0.5), hypothesis('b', 0.4)], ruledOut: [] };
    const after = {
      hypotheses: [hypothesis('c', 0.9)],
      ruledOut: [{ entity: hypothesis('a', 0).entity, reason: 'a victim of c' }],
    };
    assert.deepEqual(summary(hypothesisChanges(before, after)), [
      'added c',
      'ruled-out a: a victim of c',
      'ruled-out b: no longer supported once more evidence was read',
    ]);
  });

  it('does not rule out an entity still suspected under another fault type', () => {
    const before = { hypotheses: [hypothesis('a', 0.5, 'oom-limit')], ruledOut: [] };
    const after = { hypotheses: [hypothesis('a', 0.7, 'memory-leak')], ruledOut: [] };
    assert.deepEqual(summary(hypothesisChanges(before, after)), ['added a']);
  });
});
