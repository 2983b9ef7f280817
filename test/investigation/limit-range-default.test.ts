import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { defaulted, defaultingLimitRange } from '../../src/investigation/evidence/limit-defaults.ts';
import type { ClusterSnapshot } from '../../src/investigation/evidence/snapshot.ts';
import { replayScenarioFile } from './support/replay.ts';

type Pod = ClusterSnapshot['pods'][number];
type LimitRange = ClusterSnapshot['limitRanges'][number];

const pod = (annotation?: string): Pod => ({
  metadata: {
    name: 'p',
    namespace: 'ns',
    ...(annotation ? { annotations: { 'kubernetes.io/limit-ranger': annotation } } : {}),
  },
});
const withLimit = { name: 'c', image: 'i', resources: { limits: { memory: '512Mi', cpu: '1' } } };
const bare = { name: 'c', image: 'i' };

test('a bound on the pod that its template does not set came from the namespace defaults', () => {
  assert.equal(defaulted(pod(), withLimit, bare, 'memory', 'limit'), true);
  assert.equal(
    defaulted(pod('LimitRanger plugin set: cpu, memory limit for container c'), withLimit, bare, 'memory', 'limit'),
    true,
  );
});

test('a bound the template sets, or that the LimitRanger annotation says it did not set, is not a default', () => {
  assert.equal(defaulted(pod(), withLimit, withLimit, 'memory', 'limit'), false);
  assert.equal(
    defaulted(pod('LimitRanger plugin set: cpu limit for container c'), withLimit, bare, 'memory', 'limit'),
    false,
  );
  assert.equal(defaulted(pod(), bare, bare, 'memory', 'limit'), false);
  // No template known (a bare pod): nothing to compare with.
  assert.equal(defaulted(pod(), withLimit, undefined, 'memory', 'limit'), false);
});

test('the LimitRange whose container default gives the value is found, the newest of several', () => {
  const range = (name: string, memory: string, created: string, type = 'Container'): LimitRange => ({
    metadata: { name, namespace: 'ns', creationTimestamp: created },
    spec: { limits: [{ type, default: { memory } }] },
  });
  const ranges = [
    range('old', '512Mi', '2026-01-01T00:00:00Z'),
    range('new', '0.5Gi', '2026-06-01T00:00:00Z'),
    range('claims', '512Mi', '2026-07-01T00:00:00Z', 'PersistentVolumeClaim'),
    range('other', '1Gi', '2026-08-01T00:00:00Z'),
  ];
  const changed = (l: LimitRange) => l.metadata?.creationTimestamp;
  assert.equal(defaultingLimitRange(ranges, 'ns', 'memory', 'limit', '512Mi', changed)?.metadata?.name, 'new');
  assert.equal(defaultingLimitRange(ranges, 'ns', 'memory', 'limit', '2Gi', changed), undefined);
  assert.equal(defaultingLimitRange(ranges, 'elsewhere', 'memory', 'limit', '512Mi', changed), undefined);
  assert.equal(defaultingLimitRange(ranges, 'ns', 'memory', 'request', '512Mi', changed), undefined);
});

// A container killed at a memory limit its template never set: the namespace's LimitRange default is the culprit
// (other), the workload it governs its victim; the repair proposed gives the workload a limit of its own.
test('an OOM kill at a LimitRange default is answered at the LimitRange, not the workload', async () => {
  const { result } = await replayScenarioFile(
    join(import.meta.dirname, '../fixtures/scenarios/bramble-limitrange-default-kills-indexer.yaml'),
  );
  assert.deepEqual(result.rootCause, { kind: 'LimitRange', namespace: 'bramble', name: 'bramble-container-baseline' });
  assert.equal(result.faultType, 'other');
  assert.ok(
    result.ruledOut.some((r) => r.entity.kind === 'StatefulSet' && /consequence of LimitRange/.test(r.reason)),
    JSON.stringify(result.ruledOut),
  );
  assert.equal(result.remediation?.action.type, 'set-resources');
});
