import assert from 'node:assert/strict';
import { test } from 'node:test';
import { soleTrouble, troubleMatchingAlert, troubleSince } from '../../src/investigation/evidence/recent-trouble.ts';
import type { ClusterSnapshot } from '../../src/investigation/evidence/snapshot.ts';

// A warning first recorded days ago that happened again around the onset is current trouble (an intermittent fault
// recurs); one that has not recurred since is not.
type Event = ClusterSnapshot['events'][number];
const warning = (namespace: string, pod: string, first: string, last: string, count: number): Event => ({
  metadata: { namespace, name: `${pod}.17f`, creationTimestamp: first },
  involvedObject: { kind: 'Pod', namespace, name: pod },
  type: 'Warning',
  reason: 'Unhealthy',
  message: 'Readiness probe failed',
  firstTimestamp: first,
  lastTimestamp: last,
  count,
});
const since = '2026-05-04T10:00:00Z';

test('an event recurring into the window counts, marked as recurring, and carries its words', () => {
  const trouble = troubleSince(
    {
      events: [
        warning('kettle-shop', 'till-api-6d9f7c8b5-q4m7z', '2026-05-02T08:00:00Z', '2026-05-04T10:31:00Z', 9),
        warning('kettle-ops', 'old-cron-x7k2p', '2026-05-02T08:00:00Z', '2026-05-02T09:00:00Z', 4),
        warning('kettle-ops', 'once-q4m7z', '2026-05-02T08:00:00Z', '2026-05-04T10:20:00Z', 1),
      ],
      pods: [],
    },
    since,
  );
  assert.deepEqual([...trouble.keys()], ['kettle-shop']);
  assert.equal(trouble.get('kettle-shop')?.onlyRecurring, true);
  assert.equal(troubleMatchingAlert('till errors on and off', trouble, 'redis')?.trouble.namespace, 'kettle-shop');
});

test('trouble that only recurs is not the sole place where trouble began', () => {
  const trouble = troubleSince(
    {
      events: [warning('kettle-shop', 'till-api-6d9f7c8b5-q4m7z', '2026-05-02T08:00:00Z', '2026-05-04T10:31:00Z', 9)],
      pods: [],
    },
    since,
  );
  assert.equal(soleTrouble(trouble, 'redis'), undefined);
});
