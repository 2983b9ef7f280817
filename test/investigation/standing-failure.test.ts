import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { firstRunBetween } from '../../src/investigation/evidence/cron-schedule.ts';
import { replayScenarioFile } from './support/replay.ts';

// A CronJob failing since long before the symptom (its last success months ago) and off the symptom's path is a leftover
// every cluster carries: set aside, said so, and the cause of today's symptom answered instead.
test('a CronJob failing for months beside the symptom is set aside as a standing failure; the flapping readiness probe is the cause', async () => {
  const { result, requests } = await replayScenarioFile(
    join(import.meta.dirname, '../fixtures/scenarios/petrel-standing-cronjob-off-path.yaml'),
  );
  assert.deepEqual(result.rootCause, { kind: 'Deployment', namespace: 'prints', name: 'pricing' });
  assert.equal(result.faultType, 'readiness-probe');
  const cronJob = result.ruledOut.find((r) => r.entity.kind === 'CronJob' && r.entity.name === 'ledger-sync');
  assert.match(
    cronJob?.reason ?? '',
    /failing since 2026-07-09T15:05:00\.000Z \(last success 2026-07-09T14:05:40(\.000)?Z\)/,
  );
  // Its status is read once, only because a run of a Job fails.
  assert.equal(requests.filter((r) => r.path === '/apis/batch/v1/namespaces/prints/cronjobs').length, 1);
});

test('the first run a schedule starts after a time, in UTC, with steps, ranges, lists, macros and either day field', () => {
  const at = (iso: string) => Date.parse(iso);
  const first = (schedule: string, after: string, until = '2027-01-01T00:00:00Z') => {
    const t = firstRunBetween(schedule, at(after), at(until));
    return t === undefined ? undefined : new Date(t).toISOString();
  };
  assert.equal(first('5 * * * *', '2026-07-09T14:05:40Z'), '2026-07-09T15:05:00.000Z');
  assert.equal(first('*/15 * * * *', '2026-11-04T19:42:00Z'), '2026-11-04T19:45:00.000Z');
  assert.equal(first('30 1 * * *', '2026-11-24T01:31:00Z'), '2026-11-25T01:30:00.000Z');
  assert.equal(first('@daily', '2026-11-24T01:31:00Z'), '2026-11-25T00:00:00.000Z');
  assert.equal(first('0 2 * * 0', '2026-11-15T02:00:30Z'), '2026-11-22T02:00:00.000Z'); // Sundays
  assert.equal(first('0 2 * * 7', '2026-11-15T02:00:30Z'), '2026-11-22T02:00:00.000Z'); // 7 is Sunday too
  assert.equal(first('0 9-17/4 * * 1-5', '2026-11-20T17:00:00Z'), '2026-11-23T09:00:00.000Z'); // Friday evening → Monday
  assert.equal(first('0 0 1 * 1', '2026-11-01T00:00:00Z'), '2026-11-02T00:00:00.000Z'); // 1st of the month or a Monday
  assert.equal(first('0 3 * * *', '2026-11-24T03:00:00Z', '2026-11-25T02:59:00Z'), undefined); // none before `until`
  assert.equal(first('0 3 * * MON', '2026-11-24T03:00:00Z'), undefined); // names are not parsed: no claim
  assert.equal(first('0 3 * *', '2026-11-24T03:00:00Z'), undefined);
});
