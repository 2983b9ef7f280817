import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Hypothesis, InvestigationResult } from '../../src/investigation/model.ts';
import { answerMessage } from '../../src/slack/answer-blocks.ts';

const ref = { kind: 'ConfigMap', namespace: 'shop', name: 'checkout-config' };
const hypothesis = (i: number, evidence: number): Hypothesis => ({
  entity: { kind: 'Pod', namespace: 'shop', name: `pod-${i}` },
  faultType: 'other',
  confidence: 0.1,
  summary: `hypothesis ${i} <@UHERE> & more`,
  evidence: Array.from({ length: evidence }, (_, j) => ({
    source: 'log' as const,
    ref,
    text: `line ${j} ${'x'.repeat(400)} <!channel>`,
  })),
  path: [],
});

const result = (hypotheses: Hypothesis[], ruledOut = 0): InvestigationResult => ({
  rootCause: ref,
  faultType: 'crashloop-bad-config',
  confidence: 0.87,
  summary: 'checkout pods crash because checkout-config sets an invalid port',
  hypotheses,
  ruledOut: Array.from({ length: ruledOut }, (_, i) => ({
    entity: { kind: 'Node', name: `node-${i}` },
    reason: `ready and unpressured ${'y'.repeat(300)}`,
  })),
  remediation: null,
  assumptions: ['namespace shop (from the alert)'],
});

test('the answer names the root cause, confidence, evidence, ruled out and next steps', () => {
  const { text, blocks } = answerMessage(result([hypothesis(0, 2), hypothesis(1, 1)], 1));
  const json = JSON.stringify(blocks);
  assert.match(text, /Root cause: ConfigMap shop\/checkout-config \(crashloop-bad-config\)/);
  assert.equal(blocks[0]?.type, 'header');
  for (const part of ['Confidence:* 87%', '*Evidence*', '*Other hypotheses*', '*Ruled out*', '*Next steps*']) {
    assert.ok(json.includes(part), part);
  }
});

test('text from the cluster cannot mention people or channels', () => {
  const json = JSON.stringify(answerMessage(result([hypothesis(0, 1), hypothesis(1, 1)])).blocks);
  assert.ok(!json.includes('<!channel>') && !json.includes('<@UHERE>'));
  assert.ok(json.includes('&lt;!channel&gt;'));
});

test('huge investigations stay within Block Kit limits and say what was left out', () => {
  const { blocks } = answerMessage(
    result([hypothesis(0, 200), ...Array.from({ length: 80 }, (_, i) => hypothesis(i + 1, 1))], 90),
  );
  assert.ok(blocks.length <= 50);
  for (const block of blocks) {
    const text = (block as { text?: { text: string; type: string } }).text;
    if (text)
      assert.ok(text.text.length <= (block.type === 'header' ? 150 : 3000), `${block.type} ${text.text.length}`);
  }
  assert.match(JSON.stringify(blocks), /…and \d+ more/);
});

test('no root cause', () => {
  const { blocks } = answerMessage({ ...result([]), rootCause: null, faultType: null, confidence: 0 });
  assert.deepEqual((blocks[0] as { text: { text: string } }).text.text, 'No root cause identified');
});
