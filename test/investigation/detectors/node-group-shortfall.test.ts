import assert from 'node:assert/strict';
import { test } from 'node:test';
import { nodeGroupShortfall } from '../../../src/investigation/detectors/node-group-shortfall.ts';
import { nodeGroupLists } from '../../../src/investigation/evidence/node-groups.ts';
import type { ClusterSnapshot } from '../../../src/investigation/evidence/snapshot.ts';
import { app, cluster, event, node, OLD, podOf } from '../support/cluster.ts';
import { detect, named } from '../support/detect.ts';

// Made-up machinery `fleet.test`: a WorkerSet makes the nodes labelled tier=render; the render pods may run only there.
const CHANGED = '2026-11-20T10:00:00Z';

function renderFarm(s: ClusterSnapshot, status: Record<string, unknown>): void {
  app(s, 'render', { podPhase: 'Pending', ready: false, container: { resources: { requests: { cpu: '3' } } } });
  const pod = podOf(s, 'render');
  if (pod.spec) pod.spec.nodeSelector = { tier: 'render' };
  event(
    s,
    { kind: 'Pod', name: pod.metadata?.name ?? '' },
    'FailedScheduling',
    "0/3 nodes are available: 1 Insufficient cpu, 2 node(s) didn't match Pod's node affinity/selector.",
  );
  node(s, 'render-1');
  node(s, 'general-1');
  const [render] = s.nodes;
  if (render?.metadata) {
    render.metadata.labels = { tier: 'render' };
    render.metadata.annotations = { 'fleet.test/owner-name': 'render-workers' };
  }
  s.apiGroups.push({
    group: 'fleet.test',
    version: 'v1',
    resources: [
      { kind: 'Worker', plural: 'workers', namespaced: true, version: 'v1' },
      { kind: 'WorkerSet', plural: 'workersets', namespaced: true, version: 'v1' },
    ],
  });
  s.customObjects.push({
    apiVersion: 'fleet.test/v1',
    kind: 'WorkerSet',
    metadata: {
      name: 'render-workers',
      namespace: 'fleet',
      creationTimestamp: OLD,
      managedFields: [{ manager: 'kubectl', operation: 'Update', time: CHANGED }],
    },
    spec: { replicas: 2, template: { metadata: { labels: { tier: 'render' } } } },
    status,
  });
}

test("pods held for room on their node group list the group kinds of the nodes' machinery", () => {
  const snapshot = cluster((s) => renderFarm(s, {}));
  assert.deepEqual(
    nodeGroupLists(snapshot).map((w) => w.resource.kind),
    ['WorkerSet'],
  );
});

test('the object that makes the node group, short of nodes and changed shortly before, holds the pods', () => {
  const short = cluster((s) =>
    renderFarm(s, { conditions: [{ type: 'Ready', status: 'False', reason: 'WaitingForWorkers' }] }),
  );
  const findings = detect(nodeGroupShortfall, short);
  assert.deepEqual(named(findings), ['WorkerSet/fleet/render-workers other']);
  assert.equal(findings[0]?.changedAt, CHANGED);
  assert.ok(findings[0]?.affects.some((ref) => ref.kind === 'Deployment' && ref.name === 'render'));
  // Counted short (fewer available than wanted) without a condition.
  const counted = cluster((s) => renderFarm(s, { availableReplicas: 1 }));
  assert.deepEqual(named(detect(nodeGroupShortfall, counted)), ['WorkerSet/fleet/render-workers other']);
});

test('a node group with all its nodes is no suspect: the pods simply ask for more than it holds', () => {
  const full = cluster((s) => renderFarm(s, { availableReplicas: 2, conditions: [{ type: 'Ready', status: 'True' }] }));
  assert.deepEqual(detect(nodeGroupShortfall, full), []);
});

test("a set whose pod template only asks for the group's label is a tenant of the nodes, not their maker", () => {
  const tenant = cluster((s) => {
    renderFarm(s, {});
    s.customObjects.pop();
    s.apiGroups.push({
      group: 'jobs.test',
      version: 'v1',
      resources: [{ kind: 'RenderSet', plural: 'rendersets', namespaced: true, version: 'v1' }],
    });
    s.customObjects.push({
      apiVersion: 'jobs.test/v1',
      kind: 'RenderSet',
      metadata: { name: 'frames', namespace: 'shop', creationTimestamp: OLD },
      spec: { replicas: 4, template: { spec: { nodeSelector: { tier: 'render' } } } },
      status: { availableReplicas: 1, conditions: [{ type: 'Ready', status: 'False' }] },
    });
  });
  assert.deepEqual(detect(nodeGroupShortfall, tenant), []);
});
