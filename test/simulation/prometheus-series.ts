import type { ScenarioSeries } from '../../src/simulation/prometheus/series.ts';

/** Small hand-made series; the tests' expected values are computed by hand from these. */
export const T0 = 1_700_000_000;
/** The scenario clock: five minutes after the first sample. */
export const NOW = new Date((T0 + 300) * 1000);

const every15s = (from: number, to: number, value: (i: number) => number): [number, string][] => {
  const samples: [number, string][] = [];
  for (let t = from, i = 0; t <= to; t += 15, i++) samples.push([T0 + t, String(value(i))]);
  return samples;
};

export const SERIES: ScenarioSeries[] = [
  // Counter rising 10 per 15 s.
  {
    metric: { __name__: 'http_requests_total', job: 'api', instance: 'a', code: '200' },
    values: every15s(0, 300, (i) => 10 * i),
  },
  // Errors start at T0+255: 3, 6, 9, 12.
  {
    metric: { __name__: 'http_requests_total', job: 'api', instance: 'a', code: '500' },
    values: [...every15s(0, 240, () => 0), ...every15s(255, 300, (i) => 3 * (i + 1))],
  },
  // A counter that resets between T0+270 and T0+285: 50, 60, 5, 15.
  {
    metric: { __name__: 'http_requests_total', job: 'api', instance: 'b', code: '200' },
    values: [
      [T0 + 255, '50'],
      [T0 + 270, '60'],
      [T0 + 285, '5'],
      [T0 + 300, '15'],
    ],
  },
  // Gauge sampled each minute: 100 … 600.
  {
    metric: { __name__: 'memory_bytes', pod: 'p1', container: 'app' },
    values: [0, 60, 120, 180, 240, 300].map((t, i) => [T0 + t, String(100 * (i + 1))] as [number, string]),
  },
  // Only one old sample: stale at NOW.
  { metric: { __name__: 'memory_bytes', pod: 'p2', container: 'app' }, values: [[T0, '7']] },
  { metric: { __name__: 'memory_limit_bytes', pod: 'p1' }, values: [[T0 + 300, '1000']] },
  // Two series that differ only by name.
  { metric: { __name__: 'cpu_seconds_total', pod: 'p1' }, values: [[T0 + 300, '4']] },
  { metric: { __name__: 'cpu_throttled_seconds_total', pod: 'p1' }, values: [[T0 + 300, '1']] },
  ...(
    [
      ['0.1', 50],
      ['0.5', 80],
      ['1', 95],
      ['+Inf', 100],
    ] as const
  ).map(([le, count]) => ({
    metric: { __name__: 'latency_seconds_bucket', job: 'api', le },
    values: [[T0 + 300, String(count)] as [number, string]],
  })),
];
