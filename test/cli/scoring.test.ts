import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  applicationOf,
  isCorrect,
  median,
  percentile,
  summarize,
  summarizeByApplication,
} from '../../src/cli/scoring.ts';

const deployment = { kind: 'Deployment', namespace: 'shop', name: 'cart' };
const configMap = { kind: 'ConfigMap', namespace: 'shop', name: 'cart-config' };
const node = { kind: 'Node', name: 'node-1' };

describe('isCorrect', () => {
  it('accepts any listed ref, compared on kind, namespace and name', () => {
    assert.equal(isCorrect(deployment, [configMap, deployment]), true);
    assert.equal(isCorrect({ ...deployment, kind: 'StatefulSet' }, [deployment]), false);
    assert.equal(isCorrect({ ...deployment, name: 'Cart' }, [deployment]), false);
    assert.equal(isCorrect({ ...deployment, namespace: 'other' }, [deployment]), false);
    assert.equal(isCorrect({ kind: 'Deployment', name: 'cart' }, [deployment]), false);
  });

  it('ignores the predicted namespace when the ground truth has none', () => {
    assert.equal(isCorrect({ ...node, namespace: 'shop' }, [node]), true);
    assert.equal(isCorrect(node, [node]), true);
  });

  it('counts no answer as wrong', () => {
    assert.equal(isCorrect(null, [deployment]), false);
  });
});

describe('summarize', () => {
  it('reports accuracy and request/time distributions', () => {
    const summary = summarize([
      { correct: true, faultTypeCorrect: true, requests: 10, ms: 100 },
      { correct: true, faultTypeCorrect: false, requests: 30, ms: 300 },
      { correct: false, faultTypeCorrect: false, requests: 20, ms: 200 },
      { correct: false, faultTypeCorrect: true, requests: 40, ms: 900 },
    ]);
    assert.deepEqual(summary, {
      total: 4,
      correct: 2,
      accuracy: 0.5,
      faultTypeAccuracy: 0.5,
      medianRequests: 25,
      p95Requests: 40,
      medianMs: 250,
      p95Ms: 900,
    });
  });

  it('is all zeros for no runs', () => {
    assert.deepEqual(summarize([]), {
      total: 0,
      correct: 0,
      accuracy: 0,
      faultTypeAccuracy: 0,
      medianRequests: 0,
      p95Requests: 0,
      medianMs: 0,
      p95Ms: 0,
    });
  });
});

describe('median and percentile', () => {
  it('take the middle and the nearest rank', () => {
    assert.equal(median([5, 1, 3]), 3);
    const twenty = Array.from({ length: 20 }, (_, i) => i + 1);
    assert.equal(percentile(twenty, 95), 19);
    assert.equal(percentile(twenty, 50), 10);
    assert.equal(percentile([7], 95), 7);
  });
});

describe('summarizeByApplication', () => {
  it('groups runs by the first word of the scenario id and summarizes each group', () => {
    assert.equal(applicationOf('shop-cart-oom'), 'shop');
    assert.equal(applicationOf('solo'), 'solo');
    const byApplication = summarizeByApplication([
      { id: 'shop-cart-oom', correct: true, faultTypeCorrect: true, requests: 10, ms: 1 },
      { id: 'bank-ledger-dns', correct: false, faultTypeCorrect: false, requests: 30, ms: 3 },
      { id: 'shop-web-bad-image', correct: false, faultTypeCorrect: true, requests: 20, ms: 2 },
    ]);
    assert.deepEqual(Object.keys(byApplication), ['bank', 'shop']);
    assert.deepEqual(
      byApplication.shop,
      summarize([
        { correct: true, faultTypeCorrect: true, requests: 10, ms: 1 },
        { correct: false, faultTypeCorrect: true, requests: 20, ms: 2 },
      ]),
    );
    assert.equal(byApplication.bank!.total, 1);
    assert.equal(byApplication.bank!.accuracy, 0);
  });
});
