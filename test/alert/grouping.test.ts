import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Alert } from '../../src/alert/alert.ts';
import { explainAlert } from '../../src/alert/explained.ts';
import { groupingKey } from '../../src/alert/grouping.ts';

const alert = (labels: Record<string, string>, extra: Partial<Alert> = {}): Alert => ({
  source: 'alertmanager',
  title: 'x',
  labels,
  annotations: {},
  ...extra,
});

test('grouping key: cluster and namespace, else group labels; a person asking never groups', () => {
  assert.equal(groupingKey(alert({ namespace: 'ledger' }), 'eu'), 'eu/namespace=ledger');
  assert.notEqual(groupingKey(alert({ namespace: 'ledger' }), 'eu'), groupingKey(alert({ namespace: 'ledger' }), 'us'));
  assert.equal(
    groupingKey(alert({}, { groupLabels: { b: '2', a: '1' } }), null),
    groupingKey(alert({}, { groupLabels: { a: '1', b: '2' } }), null),
  );
  assert.equal(groupingKey(alert({}), null), null);
  assert.equal(groupingKey(alert({ namespace: 'ledger' }, { source: 'slack' }), null), null);
});

// An answer: a ConfigMap breaks the workers of a Deployment, which a gateway Service fronts.
const answer = {
  rootCause: { kind: 'ConfigMap', namespace: 'ledger', name: 'worker-settings' },
  hypotheses: [
    {
      path: [
        { kind: 'ConfigMap', namespace: 'ledger', name: 'worker-settings' },
        { kind: 'Deployment', namespace: 'ledger', name: 'worker' },
        { kind: 'Service', namespace: 'ledger', name: 'gateway' },
      ],
      evidence: [{ ref: { kind: 'Node', name: 'node-a' } }],
    },
  ],
};

test('explained: the object an alert names is on the answer path, or its evidence', () => {
  assert.equal(explainAlert(answer, alert({ namespace: 'ledger', deployment: 'worker' })).explained, true);
  // A pod of a workload on the path.
  assert.equal(explainAlert(answer, alert({ namespace: 'ledger', pod: 'worker-6f7c9-x2k4q' })).explained, true);
  assert.equal(explainAlert(answer, alert({ namespace: 'ledger', service: 'gateway' })).explained, true);
  assert.equal(explainAlert(answer, alert({ node: 'node-a' })).explained, true);
  // Only a namespace: explained when the path runs through it.
  assert.equal(explainAlert(answer, alert({ namespace: 'ledger' })).explained, true);
});

test('not explained: another workload, the same name in another namespace, an answer without a cause', () => {
  const other = explainAlert(answer, alert({ namespace: 'ledger', deployment: 'billing' }));
  assert.equal(other.explained, false);
  assert.match(other.reason, /deployment=billing is not on the answer's path \(ConfigMap ledger\/worker-settings\)/);
  assert.equal(explainAlert(answer, alert({ namespace: 'audit', deployment: 'worker' })).explained, false);
  assert.equal(explainAlert(answer, alert({ namespace: 'audit' })).explained, false);
  assert.equal(explainAlert({ rootCause: null, hypotheses: [] }, alert({ namespace: 'ledger' })).explained, false);
});
