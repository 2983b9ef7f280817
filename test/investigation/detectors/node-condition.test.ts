import assert from 'node:assert/strict';
import { test } from 'node:test';
import { nodeCondition } from '../../../src/investigation/detectors/node-condition.ts';
import { app, cluster, node } from '../support/cluster.ts';
import { detect, named } from '../support/detect.ts';

test('a NotReady node names the Node, affecting the workloads whose pods it runs', () => {
  const snapshot = cluster((s) => {
    node(s, 'node-a', { ready: 'Unknown', since: '2026-11-20T10:15:00Z' });
    node(s, 'node-b');
    app(s, 'cart', { node: 'node-a', ready: false });
    app(s, 'web', { node: 'node-b' });
  });
  const findings = detect(nodeCondition, snapshot);
  assert.deepEqual(named(findings), ['Node/node-a node-not-ready']);
  assert.deepEqual(findings[0]?.affects, [{ kind: 'Deployment', namespace: 'shop', name: 'cart' }]);
  assert.equal(findings[0]?.changedAt, '2026-11-20T10:15:00Z');
});

test('memory pressure is node-pressure', () => {
  const snapshot = cluster((s) => node(s, 'node-a', { pressure: 'MemoryPressure' }));
  assert.deepEqual(named(detect(nodeCondition, snapshot)), ['Node/node-a node-pressure']);
});

test('healthy nodes are no finding', () => {
  assert.deepEqual(
    detect(
      nodeCondition,
      cluster((s) => node(s, 'node-a')),
    ),
    [],
  );
});
