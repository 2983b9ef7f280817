import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseScenario } from '../../src/simulation/scenario.ts';
import { secondsUntil, shiftScenario, shiftText } from '../../src/simulation/time-shift.ts';

/** Times in every place a scenario keeps them, and strings that only look a little like times. */
const SCENARIO = parseScenario(
  {
    apiVersion: 'scenario/v1',
    id: 'clock-everywhere',
    title: 'A config change at 11:58 breaks a worker',
    now: '2026-01-31T12:00:00Z',
    alert: {
      source: 'alertmanager',
      title: 'WorkerDown',
      labels: { namespace: 'jobs' },
      startsAt: '2026-01-31T11:59:00Z',
    },
    cluster: {
      objects: [
        {
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: {
            name: 'settings',
            namespace: 'jobs',
            creationTimestamp: '2025-12-31T23:59:30Z',
            annotations: { 'kubectl.kubernetes.io/restartedAt': '2026-01-31T11:58:00+01:00', release: '2026-01' },
            managedFields: [{ manager: 'kubectl', operation: 'Update', time: '2026-01-31T11:58:00Z' }],
          },
          data: { image: 'registry.example/worker:2026-01-31', schedule: '*/5 * * * *', retries: '3' },
        },
        {
          apiVersion: 'v1',
          kind: 'Secret',
          metadata: { name: 'token', namespace: 'jobs' },
          data: { token: 'MjAyNi0wMS0zMVQxMTo1ODowMFo=' },
        },
        {
          apiVersion: 'events.k8s.io/v1',
          kind: 'Event',
          metadata: { name: 'worker.1', namespace: 'jobs' },
          eventTime: '2026-01-31T11:58:30.123456Z',
          note: 'Back-off restarting failed container',
        },
      ],
      logs: [
        {
          namespace: 'jobs',
          pod: 'worker-0',
          container: 'worker',
          lines: [
            '2026-01-31T11:58:31Z 2026-01-31 11:58:31,042 +0000 ERROR cannot parse retries',
            '2026-01-31T11:58:32Z {"ts":1769860712.5,"t":{"$date":"2026-01-31T11:58:32.500+00:00"}}',
            'no time here, build 2026-13-45T99:00:00',
          ],
        },
      ],
    },
    metrics: [
      {
        metric: { __name__: 'up', job: 'worker' },
        values: [
          [1769860680, '1'],
          [1769860740.5, '0'],
        ],
      },
    ],
    groundTruth: {
      rootCause: [{ kind: 'ConfigMap', namespace: 'jobs', name: 'settings' }],
      faultType: 'crashloop-bad-config',
    },
  },
  'clock-everywhere',
);

/** The fields of the fixture's objects the assertions read. */
interface FixtureObject {
  metadata: { creationTimestamp: string; annotations: Record<string, string>; managedFields: { time: string }[] };
  data: Record<string, string>;
  eventTime: string;
}

const DAY_AND_A_BIT = 86_400 + 3_600 + 61;

describe('shifting a scenario in time', () => {
  it('moves every time by one offset, each written as it was', () => {
    const shifted = shiftScenario(SCENARIO, DAY_AND_A_BIT);
    assert.equal(shifted.now, '2026-02-01T13:01:01Z');
    assert.equal(shifted.alert.startsAt, '2026-02-01T13:00:01Z');
    const [configMap, secret, event] = shifted.cluster.objects as unknown as FixtureObject[];
    assert.equal(configMap!.metadata.creationTimestamp, '2026-01-02T01:00:31Z');
    assert.equal(configMap!.metadata.annotations['kubectl.kubernetes.io/restartedAt'], '2026-02-01T12:59:01+01:00');
    assert.equal(configMap!.metadata.managedFields[0]?.time, '2026-02-01T12:59:01Z');
    assert.equal(event!.eventTime, '2026-02-01T12:59:31.123456Z');
    assert.deepEqual(shifted.cluster.logs![0]!.lines, [
      '2026-02-01T12:59:32Z 2026-02-01 12:59:32,042 +0000 ERROR cannot parse retries',
      '2026-02-01T12:59:33Z {"ts":1769860712.5,"t":{"$date":"2026-02-01T12:59:33.500+00:00"}}',
      'no time here, build 2026-13-45T99:00:00',
    ]);
    assert.deepEqual(shifted.metrics![0]!.values, [
      [1769860680 + DAY_AND_A_BIT, '1'],
      [1769860740.5 + DAY_AND_A_BIT, '0'],
    ]);
    // What only looks like a time: a date without a time of day, cron, base64, the ground truth.
    assert.deepEqual(configMap!.data, SCENARIO.cluster.objects[0]!.data);
    assert.equal(configMap!.metadata.annotations.release, '2026-01');
    assert.deepEqual(secret!.data, { token: 'MjAyNi0wMS0zMVQxMTo1ODowMFo=' });
    assert.deepEqual(shifted.groundTruth, SCENARIO.groundTruth);
    assert.equal(shifted.title, SCENARIO.title);
  });

  it('keeps every duration between two times', () => {
    const shifted = shiftScenario(SCENARIO, -7 * 86_400);
    const gap = (scenario: typeof SCENARIO) =>
      Date.parse(scenario.now) - Date.parse(String(scenario.cluster.objects[2]?.eventTime));
    assert.equal(gap(shifted), gap(SCENARIO));
    assert.equal(shifted.now, '2026-01-24T12:00:00Z');
  });

  it('leaves the scenario as it is when the offset is zero, and never changes the original', () => {
    const before = structuredClone(SCENARIO);
    assert.equal(shiftScenario(SCENARIO, 0), SCENARIO);
    shiftScenario(SCENARIO, 3_600);
    assert.deepEqual(SCENARIO, before);
  });

  it('measures the offset to a wall clock in whole seconds', () => {
    assert.equal(secondsUntil(SCENARIO, new Date('2026-01-31T12:00:10.600Z')), 11);
    assert.equal(secondsUntil(SCENARIO, new Date('2026-01-31T11:00:00Z')), -3_600);
    assert.equal(shiftText('across 2024-02-28T23:59:59Z', 1), 'across 2024-02-29T00:00:00Z');
  });
});
