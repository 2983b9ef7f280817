import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hasRoomFor, nodeClosedByNewTaint, requestsOf } from '../../src/investigation/evidence/node-room.ts';
import { type ClusterSnapshot, emptySnapshot } from '../../src/investigation/evidence/snapshot.ts';

type Node = ClusterSnapshot['nodes'][number];
type Pod = ClusterSnapshot['pods'][number];

const NOW = '2026-12-10T09:30:00Z';
const TAINTED_RECENTLY = '2026-12-10T08:50:00Z';
const TAINTED_LONG_AGO = '2026-11-02T10:00:00Z';

/** A node of 4 cores whose `dedicated=batch:NoSchedule` taint was written by someone at `taintedAt`. */
const node = (name: string, taintedAt: string): Node => ({
  metadata: {
    name,
    creationTimestamp: TAINTED_LONG_AGO,
    managedFields: [{ manager: 'kubectl-taint', operation: 'Update', time: taintedAt, fieldsType: 'FieldsV1' }],
  },
  spec: { taints: [{ key: 'dedicated', value: 'batch', effect: 'NoSchedule' }] },
  status: { allocatable: { cpu: '4', memory: '8Gi' } },
});

const pod = (name: string, cpu: string, extra: Partial<NonNullable<Pod['spec']>> = {}, phase = 'Running'): Pod => ({
  metadata: { name, namespace: 'pricing' },
  spec: { containers: [{ name: 'app', resources: { requests: { cpu } } }], ...extra },
  status: { phase },
});

function snapshot(bound: Pod[], read = true): ClusterSnapshot {
  const s = emptySnapshot(NOW);
  s.nodes.push(node('batch-1', TAINTED_RECENTLY));
  s.pods.push(
    ...bound.map((p) => ({ ...p, spec: { ...p.spec, containers: p.spec?.containers ?? [], nodeName: 'batch-1' } })),
  );
  if (read) s.podsReadOnNodes = ['batch-1'];
  return s;
}

test("a pod's requests are its containers' summed per resource", () => {
  assert.deepEqual(
    requestsOf([
      { name: 'a', resources: { requests: { cpu: '500m', memory: '1Gi' } } },
      { name: 'b', resources: { requests: { cpu: '1' } } },
      { name: 'c' },
    ]),
    { cpu: 1.5, memory: 2 ** 30 },
  );
});

test('a node has room when its allocatable less what runs there holds the request; finished pods hold nothing', () => {
  const waiting = pod('pricing-new', '2');
  const node = (s: ClusterSnapshot) => s.nodes[0] as Node;
  const roomy = snapshot([pod('a', '1'), pod('done', '3', {}, 'Succeeded')]);
  assert.equal(hasRoomFor(roomy, waiting, node(roomy)), true);
  const full = snapshot([pod('a', '1'), pod('b', '2')]);
  assert.equal(hasRoomFor(full, waiting, node(full)), false);
});

test('whether a node has room is unknown when its pods were not read cluster-wide, or the pod requests nothing', () => {
  const unread = snapshot([pod('a', '1')], false);
  assert.equal(hasRoomFor(unread, pod('pricing-new', '2'), unread.nodes[0] as Node), undefined);
  const read = snapshot([pod('a', '1')]);
  const asksNothing: Pod = { metadata: { name: 'idle' }, spec: { containers: [{ name: 'app' }] } };
  assert.equal(hasRoomFor(read, asksNothing, read.nodes[0] as Node), undefined);
});

test('a new taint the pod does not tolerate on a node with room closed it; a tolerated or standing taint did not', () => {
  const s = snapshot([pod('a', '1')]);
  assert.equal(nodeClosedByNewTaint(s, pod('pricing-new', '2'))?.metadata?.name, 'batch-1');
  const tolerating = pod('pricing-new', '2', {
    tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'batch', effect: 'NoSchedule' }],
  });
  assert.equal(nodeClosedByNewTaint(s, tolerating), undefined);
  const standing = snapshot([pod('a', '1')]);
  standing.nodes[0] = node('batch-1', TAINTED_LONG_AGO);
  assert.equal(nodeClosedByNewTaint(standing, pod('pricing-new', '2')), undefined);
});
