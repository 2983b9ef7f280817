import assert from 'node:assert/strict';
import { test } from 'node:test';
import { taint } from '../../../src/investigation/detectors/taint.ts';
import { app, cluster, event, node, podOf } from '../support/cluster.ts';
import { detect, named } from '../support/detect.ts';

test('pods unschedulable because of a recently added taint name the tainted Node', () => {
  const snapshot = cluster((s) => {
    node(s, 'node-a', {
      taints: [{ key: 'maintenance', value: 'true', effect: 'NoSchedule', timeAdded: '2026-11-20T10:10:00Z' }],
    });
    app(s, 'search', { podPhase: 'Pending', ready: false });
    event(
      s,
      { kind: 'Pod', name: podOf(s, 'search').metadata?.name ?? '' },
      'FailedScheduling',
      '0/1 nodes are available: 1 node(s) had untolerated taint {maintenance: true}.',
    );
  });
  const findings = detect(taint, snapshot);
  assert.deepEqual(named(findings), ['Node/node-a taint']);
  assert.equal(findings[0]?.changedAt, '2026-11-20T10:10:00Z');
});

test('a cordoned node blocking pods proposes uncordon', () => {
  const snapshot = cluster((s) => {
    node(s, 'node-a', { unschedulable: true });
    app(s, 'search', { podPhase: 'Pending', ready: false });
    event(
      s,
      { kind: 'Pod', name: podOf(s, 'search').metadata?.name ?? '' },
      'FailedScheduling',
      '0/1 nodes are available: 1 node(s) were unschedulable.',
    );
  });
  assert.deepEqual(detect(taint, snapshot)[0]?.remediation?.action, { type: 'uncordon-node', name: 'node-a' });
});

test('taints the pods tolerate, and taints of a sick node, are no taint finding', () => {
  const snapshot = cluster((s) => {
    node(s, 'node-a', { taints: [{ key: 'dedicated', value: 'search', effect: 'NoSchedule' }] });
    node(s, 'node-b', { ready: 'Unknown', taints: [{ key: 'node.kubernetes.io/unreachable', effect: 'NoExecute' }] });
    app(s, 'search', { node: 'node-a', container: {} });
    const pod = podOf(s, 'search');
    if (pod.spec)
      pod.spec.tolerations = [{ key: 'dedicated', operator: 'Equal', value: 'search', effect: 'NoSchedule' }];
  });
  assert.deepEqual(detect(taint, snapshot), []);
});
