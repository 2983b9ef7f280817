import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it, test } from 'node:test';
import {
  troubleMatchingAlert,
  troubleSince,
  troubleWindowStart,
} from '../../src/investigation/evidence/recent-trouble.ts';
import type { ClusterSnapshot } from '../../src/investigation/evidence/snapshot.ts';
import { missedRun } from '../../src/investigation/evidence/widen-focus.ts';
import { AlertSchema } from '../../src/alert/alert.ts';
import { replayScenarioFile } from './support/replay.ts';

const FIXTURES = join(import.meta.dirname, '../fixtures/scenarios');

type Event = ClusterSnapshot['events'][number];
type Pod = ClusterSnapshot['pods'][number];
const warning = (namespace: string, kind: string, name: string, first: string): Event => ({
  metadata: { namespace, name: `${name}.1`, creationTimestamp: first },
  involvedObject: { kind, name, namespace },
  type: 'Warning',
  reason: 'FailedCreate',
  message: 'refused',
  firstTimestamp: first,
  lastTimestamp: first,
});
const pending = (namespace: string, name: string, created: string): Pod => ({
  metadata: { namespace, name, creationTimestamp: created },
  status: { phase: 'Pending' },
});

describe('troubleWindowStart', () => {
  it('begins an hour before the onset, or two hours before now without one', () => {
    assert.equal(troubleWindowStart('2026-03-01T10:00:00Z', '2026-03-01T12:00:00Z'), '2026-03-01T09:00:00.000Z');
    assert.equal(troubleWindowStart(undefined, '2026-03-01T12:00:00Z'), '2026-03-01T10:00:00.000Z');
  });
});

describe('troubleSince', () => {
  it('counts warnings and pods not running that began in the window, with the words of their names', () => {
    const trouble = troubleSince(
      {
        events: [
          warning('tarn-jobs', 'Job', 'kiln-worker-x7k2p', '2026-03-01T09:30:00Z'),
          warning('old-ns', 'Pod', 'kiln-worker-q4m7z', '2026-02-20T09:30:00Z'),
        ],
        pods: [pending('tarn-jobs', 'kiln-worker-x7k2p-bcdfg', '2026-03-01T09:31:00Z')],
      },
      '2026-03-01T09:00:00.000Z',
    );
    assert.deepEqual([...trouble.keys()], ['tarn-jobs']);
    const jobs = trouble.get('tarn-jobs');
    assert.equal(jobs?.signs, 2);
    // Random suffixes controllers add are no words.
    assert.deepEqual([...(jobs?.words ?? [])].sort(), ['jobs', 'kiln', 'tarn', 'worker']);
  });
});

describe('troubleMatchingAlert', () => {
  const trouble = troubleSince(
    {
      events: [
        warning('tarn-jobs', 'Job', 'kiln-worker-x7k2p', '2026-03-01T09:30:00Z'),
        warning('tarn-jobs', 'Job', 'kiln-worker-bcdfg', '2026-03-01T09:31:00Z'),
        warning('ledger', 'Pod', 'ledger-export-q4m7z', '2026-03-01T09:32:00Z'),
      ],
      pods: [],
    },
    '2026-03-01T09:00:00.000Z',
  );
  it("picks the namespace whose trouble carries the alert's words, plurals too", () => {
    assert.equal(troubleMatchingAlert('no kiln workers started', trouble, 'tarn')?.trouble.namespace, 'tarn-jobs');
  });
  it("never the namespace examined, nor trouble that carries none of the alert's words", () => {
    assert.equal(troubleMatchingAlert('no kiln workers started', trouble, 'tarn-jobs'), undefined);
    assert.equal(troubleMatchingAlert('checkout is slow', trouble, 'shop'), undefined);
  });
});

describe('missedRun', () => {
  // The alert speaks of the data (a stale snapshot); the run that makes it is named for its work and failed at 03:40.
  const stale = AlertSchema.parse({
    source: 'alertmanager',
    title: 'PriceSnapshotStale',
    annotations: { summary: 'price snapshot is 30h old' },
    startsAt: '2026-03-02T06:00:00Z',
  });
  const failedRun = warning('shop-batch', 'Job', 'tariff-loader-29550930', '2026-03-02T03:40:00Z');
  it('names the only namespace where trouble began in the day before, though it carries none of the words', () => {
    const found = missedRun(stale, { events: [failedRun], pods: [] }, 'shop');
    assert.equal(found?.choice?.trouble.namespace, 'shop-batch');
  });
  it('names none when two namespaces had trouble that day, or when the alert is not about missing output', () => {
    const other = warning('shop-search', 'Pod', 'indexer-q4m7z', '2026-03-02T02:00:00Z');
    assert.equal(missedRun(stale, { events: [failedRun, other], pods: [] }, 'shop'), undefined);
    const slow = AlertSchema.parse({ ...stale, title: 'PriceApiSlow', annotations: { summary: 'p99 above 2s' } });
    assert.equal(missedRun(slow, { events: [failedRun], pods: [] }, 'shop'), undefined);
  });
});

// The reporter names a namespace that is healthy; the sender elsewhere waits for a Secret since shortly before.
test('a quiet namespace widens to the one whose trouble around the onset carries the alert words', async () => {
  const { result } = await replayScenarioFile(join(FIXTURES, 'kelpie-named-namespace-quiet-widen.json'));
  assert.deepEqual(result.rootCause, { kind: 'Deployment', namespace: 'kelpie-notify', name: 'receipt-sender' });
  assert.equal(result.faultType, 'missing-secret');
  assert.ok(result.assumptions.some((line) => line.includes('mailer (the alert names it) shows nothing abnormal')));
});

// The alert carries the prober's namespace, healthy; the renderer elsewhere cannot be scheduled since shortly before.
test('nothing abnormal where the alert points: the namespace whose trouble around the onset carries its words is examined next', async () => {
  const { result, requests } = await replayScenarioFile(join(FIXTURES, 'tallow-probe-namespace-quiet-widen.json'));
  assert.deepEqual(result.rootCause, { kind: 'Deployment', namespace: 'tallow-billing', name: 'pdf-render' });
  assert.equal(result.faultType, 'insufficient-resources');
  assert.ok(result.assumptions.some((line) => line.includes('synthetics (examined first) shows nothing abnormal')));
  // One look at the cluster's trouble, not a sweep: the other troubled namespace is never read.
  assert.ok(!requests.some((request) => request.path.includes('/namespaces/tallow-search/')));
});
