import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cpuThrottling } from '../../../src/investigation/detectors/cpu-throttling.ts';
import { memoryLeak } from '../../../src/investigation/detectors/memory-leak.ts';
import type { ClusterSnapshot } from '../../../src/investigation/evidence/snapshot.ts';
import { app, cluster, NS, podOf } from '../support/cluster.ts';
import { detect, named } from '../support/detect.ts';

const MI = 2 ** 20;
/** Samples from a fixed start, one every `step` seconds (a minute unless the scrape is coarser). */
const series = (values: number[], step = 60): [number, number][] => values.map((v, i) => [1795168800 + i * step, v]);

const memory = (s: ClusterSnapshot, values: number[], step = 60) =>
  s.metrics.push({
    labels: {
      __name__: 'container_memory_working_set_bytes',
      namespace: NS,
      pod: podOf(s, 'api').metadata?.name ?? '',
      container: 'main',
    },
    query: 'container_memory_working_set_bytes{namespace="shop"}[30m]',
    values: series(values, step),
  });

test('working set climbing steadily toward the limit is a memory leak of the workload', () => {
  const snapshot = cluster((s) => {
    app(s, 'api');
    memory(
      s,
      [30, 45, 60, 72, 85, 98, 110, 121].map((m) => m * MI),
    );
  });
  assert.deepEqual(named(detect(memoryLeak, snapshot)), ['Deployment/shop/api memory-leak']);
});

test('flat memory, even high, is no leak', () => {
  const snapshot = cluster((s) => {
    app(s, 'api');
    memory(
      s,
      [110, 111, 110, 112, 110, 111].map((m) => m * MI),
    );
  });
  assert.deepEqual(detect(memoryLeak, snapshot), []);
});

test('a throttled-periods ratio (as the collector queries it, without namespace) above a quarter is cpu-throttling', () => {
  const snapshot = cluster((s) => {
    app(s, 'api');
    s.metrics.push({
      labels: { pod: podOf(s, 'api').metadata?.name ?? '', container: 'main' },
      query: 'rate(throttled)/rate(periods)',
      signal: 'cpu-throttling',
      values: series([0.62]),
    });
  });
  const findings = detect(cpuThrottling, snapshot);
  assert.deepEqual(named(findings), ['Deployment/shop/api cpu-throttling']);
  assert.deepEqual(findings[0]?.remediation?.action, {
    type: 'set-resources',
    kind: 'Deployment',
    namespace: 'shop',
    name: 'api',
    container: 'main',
    limits: { cpu: '400m' },
  });
});

test('raw CFS counters are divided here; little throttling is no finding', () => {
  const snapshot = cluster((s) => {
    app(s, 'api');
    const pod = podOf(s, 'api').metadata?.name ?? '';
    s.metrics.push({
      labels: { __name__: 'container_cpu_cfs_throttled_periods_total', namespace: NS, pod, container: 'main' },
      query: 'q',
      values: series([0, 5]),
    });
    s.metrics.push({
      labels: { __name__: 'container_cpu_cfs_periods_total', namespace: NS, pod, container: 'main' },
      query: 'q',
      values: series([0, 100]),
    });
  });
  assert.deepEqual(detect(cpuThrottling, snapshot), []);
});

test('a leak that ends in an OOM kill (a sawtooth) is still a leak', () => {
  const snapshot = cluster((s) => {
    app(s, 'api');
    memory(
      s,
      [30, 45, 60, 75, 90, 105, 120, 127, 31, 40].map((m) => m * MI),
    );
  });
  assert.deepEqual(named(detect(memoryLeak, snapshot)), ['Deployment/shop/api memory-leak']);
});

test('filling to the limit and restarting again and again is a limit too low, not a leak', () => {
  const snapshot = cluster((s) => {
    app(s, 'api');
    memory(
      s,
      [40, 60, 80, 100, 120, 127, 40, 60, 80, 100, 120, 127, 40].map((m) => m * MI),
    );
  });
  assert.deepEqual(detect(memoryLeak, snapshot), []);
});

test('a steady climb is no leak when the container is OOM-killed every few minutes (many short lives)', () => {
  const climbing = [30, 45, 60, 72, 85, 98, 110, 121].map((m) => m * MI);
  const killed = (startedAt: string, restartCount: number) =>
    cluster((s) => {
      app(s, 'api', {
        containerStatus: {
          restartCount,
          lastState: {
            terminated: { exitCode: 137, reason: 'OOMKilled', startedAt, finishedAt: '2026-11-20T10:20:00Z' },
          },
        },
      });
      memory(s, climbing);
    });
  assert.deepEqual(detect(memoryLeak, killed('2026-11-20T10:17:00Z', 12)), []);
  // One long life before the kill is still a leak.
  assert.deepEqual(named(detect(memoryLeak, killed('2026-11-20T09:20:00Z', 3))), ['Deployment/shop/api memory-leak']);
});

const oomKilledAfterLongLife = {
  restartCount: 2,
  lastState: {
    terminated: {
      exitCode: 137,
      reason: 'OOMKilled',
      startedAt: '2026-11-20T08:10:00Z',
      finishedAt: '2026-11-20T09:50:00Z',
    },
  },
};

test('killed for memory after a long life and climbing steadily again is a leak before it nears the limit', () => {
  // 128Mi limit: the current life has grown from 20 to 45Mi, every sample higher than the last.
  const climbing = [20, 23, 26, 29, 32, 34, 37, 40, 42, 45].map((m) => m * MI);
  const snapshot = cluster((s) => {
    app(s, 'api', { containerStatus: oomKilledAfterLongLife });
    memory(s, climbing);
  });
  assert.deepEqual(named(detect(memoryLeak, snapshot)), ['Deployment/shop/api memory-leak']);
  // The same modest climb without a kill behind it is a warm-up, not yet evidence.
  assert.deepEqual(
    detect(
      memoryLeak,
      cluster((s) => {
        app(s, 'api');
        memory(s, climbing);
      }),
    ),
    [],
  );
});

test('a climb scraped every five minutes is read over its duration, not its sample count', () => {
  // Seven samples over 30 minutes, every one higher: at that pace the limit is refilled within the killed life.
  const climbing = [60, 64, 68, 72, 76, 80, 84].map((m) => m * MI);
  const leak = cluster((s) => {
    app(s, 'api', { containerStatus: oomKilledAfterLongLife });
    memory(s, climbing, 300);
  });
  assert.deepEqual(named(detect(memoryLeak, leak)), ['Deployment/shop/api memory-leak']);
  // The same seven samples a few seconds apart are a burst, not yet a climb.
  const burst = cluster((s) => {
    app(s, 'api', { containerStatus: oomKilledAfterLongLife });
    memory(s, climbing, 15);
  });
  assert.deepEqual(detect(memoryLeak, burst), []);
});

test('a process configured to hold more than its limit is filling its working set, not leaking', () => {
  const snapshot = cluster((s) => {
    app(s, 'api', {
      containerStatus: oomKilledAfterLongLife,
      container: { args: ['--cache-mb', '64', '-m', '512'] },
    });
    memory(
      s,
      [30, 45, 60, 72, 85, 98, 110, 121].map((m) => m * MI),
    );
  });
  assert.deepEqual(detect(memoryLeak, snapshot), []);
});
