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
  // Its status is read once, only because a run of a Job fails (cluster-wide: a run may lack what a CronJob elsewhere makes).
  assert.equal(requests.filter((r) => r.path.endsWith('/cronjobs')).length, 1);
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
  assert.equal(first('0 3 * * MON', '2026-11-24T03:00:00Z'), '2026-11-30T03:00:00.000Z'); // names, as cron reads them
  assert.equal(first('0 3 1 sep-dec/3 *', '2026-11-24T03:00:00Z'), '2026-12-01T03:00:00.000Z');
  assert.equal(first('0 3 * * MOON', '2026-11-24T03:00:00Z'), undefined); // not a name: no claim
  assert.equal(first('0 3 * *', '2026-11-24T03:00:00Z'), undefined);
});

test("a CronJob's spec.timeZone moves its runs: wall-clock fields are read in that zone, daylight saving included", () => {
  const first = (schedule: string, after: string, timeZone?: string) => {
    const t = firstRunBetween(schedule, Date.parse(after), Date.parse('2027-06-01T00:00:00Z'), timeZone);
    return t === undefined ? undefined : new Date(t).toISOString();
  };
  // 02:00 in New York is 07:00 UTC in winter (EST) and 06:00 UTC in summer (EDT).
  assert.equal(first('0 2 * * *', '2026-12-01T00:00:00Z', 'America/New_York'), '2026-12-01T07:00:00.000Z');
  assert.equal(first('0 2 * * *', '2027-05-01T00:00:00Z', 'America/New_York'), '2027-05-01T06:00:00.000Z');
  // A half-hour zone: 09:00 in Kolkata is 03:30 UTC.
  assert.equal(first('0 9 * * *', '2026-12-01T00:00:00Z', 'Asia/Kolkata'), '2026-12-01T03:30:00.000Z');
  // The weekday is the zone's: Monday 00:30 in Tokyo is Sunday 15:30 UTC.
  assert.equal(first('30 0 * * 1', '2026-12-01T00:00:00Z', 'Asia/Tokyo'), '2026-12-06T15:30:00.000Z');
  assert.equal(first('0 2 * * *', '2026-12-01T00:00:00Z', 'Etc/UTC'), '2026-12-01T02:00:00.000Z');
  assert.equal(first('0 2 * * *', '2026-12-01T00:00:00Z', 'Mars/Olympus_Mons'), undefined); // unknown zone: no claim
});
