import assert from 'node:assert/strict';
import { test } from 'node:test';
import { calleeHome, unresolvedCallees } from '../../src/investigation/evidence/callee-elsewhere.ts';
import { emptySnapshot } from '../../src/investigation/evidence/snapshot.ts';

// Made-up cluster: a caller in `dock` names its callee by the bare Service name, which lives in `yard`.
const snapshot = emptySnapshot('2026-07-01T10:00:00Z');
const service = (namespace: string, name: string) => ({ metadata: { namespace, name } });
snapshot.services.push(service('dock', 'berth-web'), service('yard', 'crane-queue'), service('yard', 'berth-web'));
snapshot.pods.push({ metadata: { namespace: 'dock', name: 'berth-web-5d8f9c7b6-q4m7z' } });
snapshot.logs.push({
  namespace: 'dock',
  pod: 'berth-web-5d8f9c7b6-q4m7z',
  container: 'web',
  previous: false,
  lines: [
    '2026-07-01T09:58:00Z ERROR call crane-queue failed: 503 (x-trace-id=ab12, pod berth-web-5d8f9c7b6-q4m7z)',
    '2026-07-01T09:59:00Z ERROR call crane-queue failed: 503 via db.yard.svc',
  ],
});

test("dashed names of the errors that are none of the namespace's own objects, most named first", () => {
  assert.deepEqual(unresolvedCallees(snapshot, 'dock'), ['crane-queue', 'x-trace-id']);
});

test('the one other namespace with a Service of that name; none when nothing or several hold it', () => {
  assert.deepEqual(calleeHome(['crane-queue', 'x-trace-id'], snapshot.services, 'dock'), {
    namespace: 'yard',
    service: 'crane-queue',
  });
  assert.equal(calleeHome(['x-trace-id'], snapshot.services, 'dock'), undefined);
  const twice = [...snapshot.services, service('yard-staging', 'crane-queue')];
  assert.equal(calleeHome(['crane-queue'], twice, 'dock'), undefined);
});
