import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import type { KubeEvent } from '../../src/investigation/evidence/events.ts';
import { standingEvent } from '../../src/investigation/evidence/standing-trouble.ts';
import { answerOf } from './support/answer.ts';

// Trouble that began days before the onset (a crash loop left running, its back-off warning repeated since) has gone
// on through days the symptom did not exist: no sign of where the new symptom is, and off its path no cause of it.
// Invented scenarios, replayed through the simulated API server.
const DIR = join(import.meta.dirname, '../fixtures/standing');

test('an alert naming nothing goes first where trouble began around its onset, not where crash loops stand for days', async () => {
  const got = await answerOf(join(DIR, 'oxtongue-slow-pages-fresh-probe-over-lab-crash-loops.json'));
  assert.ok(got.expected.includes(got.answer), got.answer);
  assert.equal(got.faultType, got.expectedType);
  assert.ok(
    got.assumptions.every((assumption) => !assumption.includes('ox-lab')),
    got.assumptions.join('\n'),
  );
});

test("a crash loop off the symptom's path, failing since days before, gives way to the symptom's own errors", async () => {
  const got = await answerOf(join(DIR, 'tallowby-checkout-errors-beside-days-old-crash-loop.json'));
  assert.ok(got.expected.includes(got.answer), got.answer);
  assert.equal(got.faultType, got.expectedType);
});

test('a crash loop that began minutes before the onset is no standing failure', async () => {
  const got = await answerOf(join(DIR, 'saltmoor-crash-loop-begun-before-onset.json'));
  assert.ok(got.expected.includes(got.answer), got.answer);
});

const warning = (first: string, last: string, count: number): KubeEvent => ({
  metadata: { namespace: 'lab', name: 'p.1', creationTimestamp: first },
  involvedObject: { kind: 'Pod', namespace: 'lab', name: 'p' },
  type: 'Warning',
  reason: 'BackOff',
  firstTimestamp: first,
  lastTimestamp: last,
  count,
});
const since = Date.parse('2026-05-04T10:00:00Z');

test('a warning repeated without pause since days before stands; one that came back in bursts, or began lately, does not', () => {
  // Five days at a crash loop's back-off pace.
  assert.equal(standingEvent(warning('2026-04-29T10:00:00Z', '2026-05-04T10:29:00Z', 1440), since), true);
  // Not seen since the window began: old trouble.
  assert.equal(standingEvent(warning('2026-04-29T10:00:00Z', '2026-04-30T10:00:00Z', 3), since), true);
  // Nine times in five days, the last in the window: it came back.
  assert.equal(standingEvent(warning('2026-04-29T10:00:00Z', '2026-05-04T10:29:00Z', 9), since), false);
  // Began hours before the window.
  assert.equal(standingEvent(warning('2026-05-04T06:00:00Z', '2026-05-04T10:29:00Z', 50), since), false);
});

test('a one-off Job that gave up days before, off the path, gives way to the symptom’s own errors', async () => {
  for (const file of [
    'tallowby-checkout-errors-beside-week-old-failed-job.json',
    'tallowby-checkout-errors-beside-job-past-deadline-days-ago.json',
  ]) {
    const got = await answerOf(join(DIR, file));
    assert.ok(got.expected.includes(got.answer), `${file}: ${got.answer}`);
  }
});

test('a one-off Job that failed minutes before the onset is no standing failure', async () => {
  const got = await answerOf(join(DIR, 'tallowby-checkout-errors-beside-job-failed-this-morning.json'));
  assert.ok(got.expected.includes(got.answer), got.answer);
});
