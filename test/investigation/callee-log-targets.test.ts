import assert from 'node:assert/strict';
import { test } from 'node:test';
import { calleeLogTargets } from '../../src/investigation/evidence/callee-log-targets.ts';
import { type ClusterSnapshot, emptySnapshot } from '../../src/investigation/evidence/snapshot.ts';

const pod = (name: string, app: string, ready: boolean): ClusterSnapshot['pods'][number] => ({
  metadata: { name, namespace: 'docks', labels: { app } },
  status: {
    phase: 'Running',
    conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }],
    containerStatuses: [
      { name: app, ready, restartCount: 0, image: app, imageID: '', state: { running: { startedAt: '' } } },
    ],
  },
});

const service = (name: string): ClusterSnapshot['services'][number] => ({
  metadata: { name, namespace: 'docks' },
  spec: { selector: { app: name } },
});

function snapshot(lines: string[], alsoRead: string[] = []): ClusterSnapshot {
  const s = emptySnapshot('2026-11-02T08:00:00Z');
  s.services.push(service('manifest'), service('crane'), service('berth'));
  s.pods.push(pod('manifest-a', 'manifest', true), pod('crane-a', 'crane', true), pod('crane-b', 'crane', false));
  s.pods.push(pod('berth-a', 'berth', true));
  s.logs.push({ namespace: 'docks', pod: 'manifest-a', container: 'manifest', previous: false, lines });
  for (const name of alsoRead)
    s.logs.push({ namespace: 'docks', pod: name, container: 'x', previous: false, lines: [] });
  return s;
}

const names = (targets: ReturnType<typeof calleeLogTargets>) => targets.map((t) => `${t.pod}/${t.container}`);

test("a callee of the namespace the errors name leads to its least healthy pod's log, most named first", () => {
  const lines = [
    'ERROR lift plan failed: crane returned 502',
    'ERROR lift plan failed: crane returned 502',
    'WARN berth:8080 connect: connection refused',
  ];
  assert.deepEqual(names(calleeLogTargets(snapshot(lines), 'docks', 1)), ['crane-b/crane']);
  assert.deepEqual(names(calleeLogTargets(snapshot(lines), 'docks', 2)), ['crane-b/crane', 'berth-a/berth']);
});

test('a callee whose log was read, or a pod naming its own Service, leads nowhere', () => {
  assert.deepEqual(names(calleeLogTargets(snapshot(['ERROR crane returned 502'], ['crane-a']), 'docks', 1)), []);
  assert.deepEqual(names(calleeLogTargets(snapshot(['ERROR manifest worker failed']), 'docks', 1)), []);
  assert.deepEqual(names(calleeLogTargets(snapshot(['panic: nil map']), 'docks', 1)), []);
});

// A Service named like a word of the message (`crane`, `berth`) is only a callee where the line puts an address.
test('a Service name used as a word of the message, not where a host goes, leads nowhere', () => {
  const words = ['ERROR manifest rejected: crane schedule overlaps berth window', 'ERROR berth assignment invalid'];
  assert.deepEqual(names(calleeLogTargets(snapshot(words), 'docks', 2)), []);
  const addressed = ['ERROR lift plan failed: error calling crane: deadline exceeded', 'ERROR dial http://berth/plan'];
  const wrapped = [
    '{"level":"error","msg":"lift plan failed","err":"crane: upstream unavailable"}',
    'level=error err=berth: timeout',
  ];
  assert.deepEqual(names(calleeLogTargets(snapshot(wrapped), 'docks', 2)), ['crane-b/crane', 'berth-a/berth']);
  assert.deepEqual(names(calleeLogTargets(snapshot(addressed), 'docks', 2)), ['crane-b/crane', 'berth-a/berth']);
});

// A client names what it calls as its own code calls it (`tally backend error`), without an address: of the Services
// the speaker's configuration calls, the one whose name or first word the error stands on is the callee to read.
test("an error naming one of the speaker's configured callees by its first word leads to that callee's log", () => {
  const configured = (lines: string[]) => {
    const s = snapshot(lines);
    const speaker = s.pods.find((p) => p.metadata?.name === 'manifest-a');
    if (speaker)
      speaker.spec = {
        containers: [
          {
            name: 'manifest',
            env: [
              { name: 'TALLY', value: 'http://tally-api:8080' },
              { name: 'CRANE', value: 'http://crane:8080' },
            ],
          },
        ],
      };
    s.services.push(service('tally-api'));
    s.pods.push(pod('tally-api-a', 'tally-api', true));
    return s;
  };
  const spoken = ['{"level":"error","msg":"tally backend error","status":502,"path":"/manifests/crane"}'];
  assert.deepEqual(names(calleeLogTargets(configured(spoken), 'docks', 1)), ['tally-api-a/tally-api']);
  // Both callees named, or a first word too short to stand for one: the line does not say which.
  assert.deepEqual(names(calleeLogTargets(configured(['ERROR tally and crane both failed']), 'docks', 1)), []);
  // Not an error: a word of a message that reports nothing wrong.
  assert.deepEqual(names(calleeLogTargets(configured(['INFO tally refreshed']), 'docks', 1)), []);
});
