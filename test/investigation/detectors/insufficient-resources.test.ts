import assert from 'node:assert/strict';
import { test } from 'node:test';
import { insufficientResources } from '../../../src/investigation/detectors/insufficient-resources.ts';
import { app, cluster, event, node, podOf } from '../support/cluster.ts';
import { detect, named } from '../support/detect.ts';

test('a request larger than every node names the workload', () => {
  const snapshot = cluster((s) => {
    node(s, 'node-a');
    app(s, 'ranker', {
      podPhase: 'Pending',
      ready: false,
      container: { resources: { requests: { cpu: '6', memory: '1Gi' }, limits: { cpu: '6' } } },
    });
    event(
      s,
      { kind: 'Pod', name: podOf(s, 'ranker').metadata?.name ?? '' },
      'FailedScheduling',
      '0/1 nodes are available: 1 Insufficient cpu.',
    );
  });
  const findings = detect(insufficientResources, snapshot);
  assert.deepEqual(named(findings), ['Deployment/shop/ranker insufficient-resources']);
  assert.ok((findings[0]?.strength ?? 0) >= 0.95);
  assert.ok(findings[0]?.evidence.some((e) => /largest node offers 4/.test(e.text)));
});

test('pods pending for other reasons (unbound claims) are not resource shortages', () => {
  const snapshot = cluster((s) => {
    node(s, 'node-a');
    app(s, 'db', { podPhase: 'Pending', ready: false });
    event(
      s,
      { kind: 'Pod', name: podOf(s, 'db').metadata?.name ?? '' },
      'FailedScheduling',
      '0/1 nodes are available: pod has unbound immediate PersistentVolumeClaims.',
    );
  });
  assert.deepEqual(detect(insufficientResources, snapshot), []);
});
