import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { roomTaken } from '../../../src/investigation/detectors/room-taken.ts';
import type { ClusterSnapshot } from '../../../src/investigation/evidence/snapshot.ts';
import { app, cluster, event, node, OLD, podOf } from '../support/cluster.ts';
import { detect, named } from '../support/detect.ts';
import { replayScenarioFile } from '../support/replay.ts';

type Pod = ClusterSnapshot['pods'][number];
type Owner = NonNullable<NonNullable<Pod['metadata']>['ownerReferences']>[number];

const EDITED = '2026-11-20T09:40:00Z';

/** A pod of another namespace bound on a node, requesting `cpu`, made at `created` by `owner`. */
const boundPod = (name: string, nodeName: string, cpu: string, created: string, owner?: Owner): Pod => ({
  metadata: {
    name,
    namespace: 'reporting',
    uid: `uid-${name}`,
    creationTimestamp: created,
    ...(owner ? { ownerReferences: [owner] } : {}),
  },
  spec: { nodeName, containers: [{ name: 'main', resources: { requests: { cpu } } }] },
  status: { phase: 'Running' },
});

const customOwner = (kind: string, name: string): Owner => ({
  apiVersion: 'render.example.org/v1',
  kind,
  name,
  uid: `uid-${name}`,
  controller: true,
});

/**
 * Two 4-core nodes, each holding a standing 0.3-core pod and a 3.5-core render pod; `quote-api` (shop) waits for 1
 * core, refused "Insufficient cpu". The render pods are made by RenderRuns, which a RenderSchedule makes.
 */
function fullOfRenders(o: { scheduleEdited?: string; runCpu?: string; waiting?: string } = {}): ClusterSnapshot {
  return cluster((s) => {
    node(s, 'node-a');
    node(s, 'node-b');
    app(s, 'quote-api', {
      podPhase: 'Pending',
      ready: false,
      container: { resources: { requests: { cpu: o.waiting ?? '1' } } },
    });
    event(
      s,
      { kind: 'Pod', name: podOf(s, 'quote-api').metadata?.name ?? '' },
      'FailedScheduling',
      '0/2 nodes are available: 2 Insufficient cpu. preemption: 0/2 nodes are available: 2 No preemption victims found for incoming pod.',
    );
    s.customObjects.push(
      {
        apiVersion: 'render.example.org/v1',
        kind: 'RenderSchedule',
        metadata: {
          name: 'invoice-pdfs',
          namespace: 'reporting',
          creationTimestamp: OLD,
          managedFields: [{ manager: 'kubectl-edit', operation: 'Update', time: o.scheduleEdited ?? EDITED }],
        },
        spec: { schedule: '*/10 * * * *', concurrency: 'Allow' },
      },
      ...['1', '2'].map((n) => ({
        apiVersion: 'render.example.org/v1',
        kind: 'RenderRun',
        metadata: {
          name: `invoice-pdfs-${n}`,
          namespace: 'reporting',
          creationTimestamp: n === '1' ? '2026-11-20T09:50:00Z' : '2026-11-20T10:00:00Z',
          ownerReferences: [customOwner('RenderSchedule', 'invoice-pdfs')],
        },
      })),
    );
    s.podsHoldingRoom = [
      boundPod('agent-a', 'node-a', '300m', OLD),
      boundPod('agent-b', 'node-b', '300m', OLD),
      boundPod(
        'invoice-pdfs-1-x',
        'node-a',
        o.runCpu ?? '3500m',
        '2026-11-20T09:50:05Z',
        customOwner('RenderRun', 'invoice-pdfs-1'),
      ),
      boundPod(
        'invoice-pdfs-2-x',
        'node-b',
        o.runCpu ?? '3500m',
        '2026-11-20T10:00:05Z',
        customOwner('RenderRun', 'invoice-pdfs-2'),
      ),
    ];
  });
}

test('pods refused for cpu on nodes that newcomers filled: the object above the newcomers, changed shortly before, is the answer', () => {
  const findings = detect(roomTaken, fullOfRenders());
  assert.deepEqual(named(findings), ['RenderSchedule/reporting/invoice-pdfs other']);
  assert.ok(findings[0]?.affects.some((a) => a.kind === 'Deployment' && a.name === 'quote-api'));
  assert.ok(findings[0]?.evidence.some((e) => /2 pods it made since hold 7 cpu/.test(e.text)));
});

test("an operator's resource above a generated StatefulSet whose new replicas took the room is the answer", () => {
  const snapshot = cluster((s) => {
    node(s, 'node-a');
    app(s, 'quote-api', { podPhase: 'Pending', ready: false, container: { resources: { requests: { cpu: '1' } } } });
    event(
      s,
      { kind: 'Pod', name: podOf(s, 'quote-api').metadata?.name ?? '' },
      'FailedScheduling',
      '0/1 nodes are available: 1 Insufficient cpu.',
    );
    s.customObjects.push({
      apiVersion: 'cache.example.org/v1',
      kind: 'CacheCluster',
      metadata: {
        name: 'sessions',
        namespace: 'reporting',
        creationTimestamp: OLD,
        managedFields: [{ manager: 'kubectl-patch', operation: 'Update', time: EDITED }],
      },
      spec: { members: 4 },
    });
    s.statefulSets.push({
      metadata: {
        name: 'sessions-member',
        namespace: 'reporting',
        creationTimestamp: OLD,
        ownerReferences: [
          { apiVersion: 'cache.example.org/v1', kind: 'CacheCluster', name: 'sessions', uid: 'c', controller: true },
        ],
      },
    });
    const set: Owner = {
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      name: 'sessions-member',
      uid: 's',
      controller: true,
    };
    s.podsHoldingRoom = [
      boundPod('sessions-member-0', 'node-a', '1500m', OLD, set),
      boundPod('sessions-member-1', 'node-a', '1500m', '2026-11-20T09:45:00Z', set),
      boundPod('sessions-member-2', 'node-a', '800m', '2026-11-20T09:46:00Z', set),
    ];
  });
  assert.deepEqual(named(detect(roomTaken, snapshot)), ['CacheCluster/reporting/sessions other']);
});

test('newcomers of an object unchanged for weeks, or too small to have left room, did not take it', () => {
  assert.deepEqual(detect(roomTaken, fullOfRenders({ scheduleEdited: '2026-10-02T09:00:00Z' })), []);
  // Without the render pods, 3.7 cores would be free: a 4-core request never had room.
  assert.deepEqual(detect(roomTaken, fullOfRenders({ waiting: '4' })), []);
});

test('nothing is weighed when the nodes’ pods were not read cluster-wide', () => {
  const snapshot = fullOfRenders();
  delete snapshot.podsHoldingRoom;
  assert.deepEqual(detect(roomTaken, snapshot), []);
});

// Fixtures through the collector: every node's pods are read once, then the newcomers' controllers up to the top.
test('through the collector: the schedule above the runs, the operator resource above the StatefulSet, and not a standing schedule', async () => {
  const replay = (file: string) => replayScenarioFile(join(import.meta.dirname, '../../fixtures/scenarios', file));
  const schedule = await replay('marrowgate-render-schedule-fills-nodes.json');
  assert.deepEqual(schedule.result.rootCause, {
    kind: 'RenderSchedule',
    namespace: 'renders',
    name: 'statement-batch',
  });
  assert.equal(schedule.result.faultType, 'other');
  assert.ok(schedule.steps.some((step) => /pods of every node/.test(step)));
  const cache = await replay('wickbourne-cache-members-raised-fill-nodes.json');
  assert.deepEqual(cache.result.rootCause, { kind: 'CacheCluster', namespace: 'caching', name: 'sessions' });
  const standing = await replay('marrowgate-standing-render-schedule-not-the-cause.json');
  assert.deepEqual(standing.result.rootCause, { kind: 'Deployment', namespace: 'quotes', name: 'quote-pricer' });
  assert.equal(standing.result.faultType, 'insufficient-resources');
});
