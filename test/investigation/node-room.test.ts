import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  hasRoomFor,
  nodeClosedByNewTaint,
  podRequests,
  requestsOf,
  taintedAt,
  UNTOLERATED_TAINT,
} from '../../src/investigation/evidence/node-room.ts';
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

test('a pod asks for the larger of its largest init container and its app containers (with sidecars), plus overhead', () => {
  const spec = (extra: Partial<NonNullable<Pod['spec']>>): NonNullable<Pod['spec']> => ({
    containers: [
      { name: 'app', resources: { requests: { cpu: '1', memory: '1Gi' } } },
      { name: 'side', resources: { requests: { cpu: '500m' } } },
    ],
    ...extra,
  });
  assert.deepEqual(podRequests(spec({})), { cpu: 1.5, memory: 2 ** 30 });
  const migrate = { name: 'migrate', resources: { requests: { cpu: '3', memory: '512Mi' } } };
  assert.deepEqual(podRequests(spec({ initContainers: [migrate] })), { cpu: 3, memory: 2 ** 30 });
  // A sidecar keeps running beside the init containers after it and the app containers.
  const proxy = { name: 'proxy', restartPolicy: 'Always', resources: { requests: { cpu: '1' } } };
  assert.deepEqual(podRequests(spec({ initContainers: [proxy, migrate] })), { cpu: 4, memory: 2 ** 30 });
  assert.deepEqual(podRequests(spec({ overhead: { cpu: '250m', memory: '120Mi' } })), {
    cpu: 1.75,
    memory: 2 ** 30 + 120 * 2 ** 20,
  });
});

test('a taint is dated by its timeAdded or the edit that wrote spec.taints, not by another edit of the node', () => {
  const edited = (fields: Record<string, unknown>, time: string) => ({
    manager: 'someone',
    operation: 'Update',
    time,
    fieldsType: 'FieldsV1',
    fieldsV1: fields,
  });
  const tainted: Node = {
    metadata: {
      name: 'n',
      creationTimestamp: TAINTED_LONG_AGO,
      managedFields: [
        edited({ 'f:spec': { 'f:taints': {} } }, TAINTED_LONG_AGO),
        edited({ 'f:metadata': { 'f:labels': {} } }, TAINTED_RECENTLY),
      ],
    },
    spec: { taints: [{ key: 'dedicated', value: 'batch', effect: 'NoSchedule' }] },
  };
  assert.equal(taintedAt(tainted), TAINTED_LONG_AGO);
  const evicting = structuredClone(tainted);
  evicting.spec = { taints: [{ key: 'drain', effect: 'NoExecute', timeAdded: TAINTED_RECENTLY }] };
  assert.equal(taintedAt(evicting), TAINTED_RECENTLY);
});

test("the scheduler's untolerated taint, in its current and older wordings", () => {
  for (const message of [
    '0/3 nodes are available: 3 node(s) had untolerated taint {dedicated: batch}.',
    "0/3 nodes are available: 1 Insufficient cpu, 2 node(s) had taint {dedicated: batch}, that the pod didn't tolerate.",
    "0/3 nodes are available: 3 node(s) had taints that the pod didn't tolerate.",
  ])
    assert.ok(UNTOLERATED_TAINT.test(message), message);
  assert.ok(!UNTOLERATED_TAINT.test('0/3 nodes are available: 3 Insufficient memory.'));
});
