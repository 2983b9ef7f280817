import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KubeEvent } from '../../src/investigation/evidence/events.ts';
import { soleTrouble, troubleSince } from '../../src/investigation/evidence/recent-trouble.ts';
import { standingEvent } from '../../src/investigation/evidence/standing-trouble.ts';

// A platform agent's warning that has recurred every day for weeks (a node's resolv.conf holding too many nameservers)
// recurs in any window: its return is its habit, not news of the incident, and it must not draw the look to the
// platform's namespace when the alerted namespace has trouble of its own.
const warning = (namespace: string, pod: string, first: string, last: string, count: number): KubeEvent => ({
  metadata: { namespace, name: `${pod}.18a`, creationTimestamp: first },
  involvedObject: { kind: 'Pod', namespace, name: pod },
  type: 'Warning',
  reason: 'DNSConfigForming',
  message: 'Nameserver limits were exceeded, some nameservers have been omitted',
  firstTimestamp: first,
  lastTimestamp: last,
  count,
});
const since = '2026-05-04T10:00:00Z';
const at = Date.parse(since);

test('a warning recurring every day for weeks stands; one back after a quiet week, or recurring for days only, does not', () => {
  // Six weeks, about ten a day, the last in the window.
  assert.equal(
    standingEvent(warning('infra', 'net-agent-q4m7z', '2026-03-23T22:00:00Z', '2026-05-04T10:20:00Z', 400), at),
    true,
  );
  // Six weeks, five times: it comes back now and then, and its return now is current trouble.
  assert.equal(
    standingEvent(warning('infra', 'net-agent-q4m7z', '2026-03-23T22:00:00Z', '2026-05-04T10:20:00Z', 5), at),
    false,
  );
  // Three days at a few an hour (a leak's restarts, each failing its probe): current.
  assert.equal(
    standingEvent(warning('infra', 'net-agent-q4m7z', '2026-05-01T10:00:00Z', '2026-05-04T10:20:00Z', 30), at),
    false,
  );
});

test('a chronic platform warning is no trouble elsewhere: the look stays where the alert points', () => {
  const trouble = troubleSince(
    { events: [warning('infra', 'net-agent-q4m7z', '2026-03-23T22:00:00Z', '2026-05-04T10:20:00Z', 400)], pods: [] },
    since,
  );
  assert.equal(trouble.size, 0);
  assert.equal(soleTrouble(trouble, 'kettle-shop'), undefined);
});
