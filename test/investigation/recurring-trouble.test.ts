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

test('trouble that only recurs is the sole place only when nothing began anywhere else', () => {
  const recurring = warning(
    'kettle-shop',
    'till-api-6d9f7c8b5-q4m7z',
    '2026-05-02T08:00:00Z',
    '2026-05-04T10:31:00Z',
    9,
  );
  const began = warning('kettle-pay', 'ledger-7c9d5b6f4-x2k8p', '2026-05-04T10:05:00Z', '2026-05-04T10:30:00Z', 6);
  const sole = (events: Event[]) => soleTrouble(troubleSince({ events, pods: [] }, since), 'redis')?.trouble.namespace;
  // Trouble that began since the onset says more about this incident than trouble that began days before it.
  assert.equal(sole([recurring, began]), 'kettle-pay');
  // A run that has failed since before the alert and goes on failing, with nothing new anywhere, is all there is.
  assert.equal(sole([recurring]), 'kettle-shop');
  // Two such places and nothing new: no one of them is the sole place.
  const otherRecurring = warning(
    'kettle-ops',
    'sync-5f6d7c8b9-p3q9z',
    '2026-05-01T07:00:00Z',
    '2026-05-04T10:12:00Z',
    4,
  );
  assert.equal(sole([recurring, otherRecurring]), undefined);
});
