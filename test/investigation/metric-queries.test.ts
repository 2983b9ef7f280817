import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  erringLabelValues,
  erringNames,
  errorRatios,
  metricBatches,
  metricQueries,
} from '../../src/investigation/evidence/metric-queries.ts';
import { type PrometheusSimulator, startPrometheusSimulator } from '../../src/simulation/prometheus/server.ts';

const NOW = new Date('2026-01-01T00:30:00Z');
const T = NOW.getTime() / 1000;

/** A counter growing by `perSecond` over the last ten minutes. */
const counter = (metric: Record<string, string>, perSecond: number) => ({
  metric,
  values: Array.from({ length: 11 }, (_, i) => [T - 600 + i * 60, String(i * 60 * perSecond)] as [number, string]),
});

const SERIES = [
  counter({ __name__: 'http_server_requests_total', namespace: 'shop', service: 'orders', code: '200' }, 9),
  counter({ __name__: 'http_server_requests_total', namespace: 'shop', service: 'orders', code: '503' }, 1),
  counter({ __name__: 'http_requests_total', namespace: 'shop', service: 'web', status: '200' }, 5),
  counter(
    {
      __name__: 'traces_span_metrics_calls_total',
      namespace: 'shop',
      service_name: 'pay',
      span_kind: 'SPAN_KIND_SERVER',
      status_code: 'STATUS_CODE_ERROR',
    },
    2,
  ),
  counter(
    {
      __name__: 'traces_span_metrics_calls_total',
      namespace: 'shop',
      service_name: 'pay',
      span_kind: 'SPAN_KIND_CLIENT',
      status_code: 'STATUS_CODE_UNSET',
    },
    50,
  ),
  counter({ __name__: 'http_server_requests_total', namespace: 'other', service: 'orders', code: '500' }, 7),
  // A namespace with both: throttled containers and the calls its services answer.
  counter({ __name__: 'container_cpu_cfs_periods_total', namespace: 'kiln', pod: 'glaze-0', container: 'glaze' }, 10),
  counter(
    { __name__: 'container_cpu_cfs_throttled_periods_total', namespace: 'kiln', pod: 'glaze-0', container: 'glaze' },
    4,
  ),
  counter({ __name__: 'http_requests_total', namespace: 'kiln', service: 'glaze', code: '500' }, 3),
  counter({ __name__: 'http_requests_total', namespace: 'kiln', service: 'glaze', code: '200' }, 1),
  // An application's own failure counter, kept by a recording rule as a rate.
  {
    metric: { __name__: 'kiln:loader_fire_errors:rate5m', namespace: 'kiln', deployment: 'loader', stage: 'fire' },
    values: [[T - 60, '0.5'] as [number, string]],
  },
  // cAdvisor scraped every 5 minutes: a 5-minute window holds one sample of each counter.
  ...[
    ['container_cpu_cfs_periods_total', 10],
    ['container_cpu_cfs_throttled_periods_total', 6],
  ].map(([name, perSecond]) => ({
    metric: { __name__: name as string, namespace: 'batch', pod: 'crunch-0', container: 'crunch' },
    values: Array.from({ length: 7 }, (_, i) => [T - 1800 + i * 300, String(i * 300 * (perSecond as number))]) as [
      number,
      string,
    ][],
  })),
  // Only a recording rule keeps the throttled share.
  {
    metric: {
      __name__: 'container_cpu_cfs_throttled_periods_total:ratio_rate5m',
      namespace: 'media',
      pod: 'resize-0',
      container: 'resize',
    },
    values: [[T - 60, '0.7'] as [number, string]],
  },
  // Memory samples in one namespace only: the joined request's probe finds them there and nowhere else.
  {
    metric: {
      __name__: 'container_memory_working_set_bytes',
      namespace: 'media',
      pod: 'resize-0',
      container: 'resize',
    },
    values: Array.from({ length: 5 }, (_, i) => [T - 1200 + i * 300, String(1e8 + i * 1e6)] as [number, string]),
  },
];

let prometheus: PrometheusSimulator;
before(async () => {
  prometheus = await startPrometheusSimulator(SERIES, { now: NOW });
});
after(() => prometheus.close());

async function throttled(namespace: string): Promise<number[]> {
  const query = metricQueries(namespace).find((q) => q.signal === 'cpu-throttling')?.query ?? '';
  const response = await fetch(`${prometheus.url}/api/v1/query?${new URLSearchParams({ query })}`);
  const body = (await response.json()) as { status: string; data: { result: { value: [number, string] }[] } };
  assert.equal(body.status, 'success', JSON.stringify(body));
  return body.data.result.map((r) => Number(r.value[1]));
}

/** The series one instant query answers, sorted, as `labels → value`. */
async function answer(query: string): Promise<string[]> {
  const response = await fetch(`${prometheus.url}/api/v1/query?${new URLSearchParams({ query })}`);
  const body = (await response.json()) as {
    status: string;
    data: { result: { metric: Record<string, string>; value: [number, string] }[] };
  };
  assert.equal(body.status, 'success', JSON.stringify(body));
  return body.data.result.map((r) => `${JSON.stringify(r.metric)} → ${r.value[1]}`).sort();
}

async function requestRates(namespace: string) {
  const queries = metricQueries(namespace);
  const query = queries.find((q) => q.signal === 'request-rate')?.query ?? '';
  const response = await fetch(`${prometheus.url}/api/v1/query?${new URLSearchParams({ query })}`);
  const body = (await response.json()) as {
    status: string;
    data: { result: { metric: Record<string, string>; value: [number, string] }[] };
  };
  assert.equal(body.status, 'success', JSON.stringify(body));
  return body.data.result.map((r) => ({
    labels: r.metric,
    values: [[r.value[0], Number(r.value[1])]] as [number, number][],
    signal: 'request-rate',
  }));
}

describe('metric queries', () => {
  it('stay within three queries, each filtered to the namespace', () => {
    const queries = metricQueries('shop');
    assert.ok(queries.length <= 3);
    for (const { query } of queries) assert.match(query, /namespace="shop"/);
  });

  it('read error ratios from HTTP counters (5xx code or status) and server spans alike', async () => {
    const ratios = errorRatios(await requestRates('shop'));
    assert.ok(Math.abs((ratios.get('orders') ?? 0) - 0.1) < 1e-9, `orders: ${ratios.get('orders')}`);
    assert.equal(ratios.get('web'), 0);
    // Only server spans count: the client span of the same service is left out.
    assert.equal(ratios.get('pay'), 1);
  });

  it('read the throttled share from counters scraped every 5 minutes, or from a recording rule of it', async () => {
    assert.deepEqual(await throttled('batch'), [0.6]);
    assert.deepEqual(await throttled('media'), [0.7]);
  });

  it('ask the throttled share and the call rates in one request, each series told apart as if asked alone', async () => {
    const batches = metricBatches('kiln');
    assert.equal(batches.length, 2);
    // The memory samples are a range vector: no instant query can join them.
    assert.deepEqual(
      batches.find((b) => b.signals.some((q) => q.signal === 'memory-working-set'))?.signals.map((q) => q.signal),
      ['memory-working-set'],
    );
    const joined = batches.find((b) => b.signals.length > 1);
    assert.ok(joined);
    const split = new Map<string, string[]>();
    for (const series of await answer(joined.query)) {
      const labels = JSON.parse(series.slice(0, series.indexOf(' → '))) as Record<string, string>;
      if (joined.probeFound?.(labels)) continue;
      const { query } = joined.signalOf(labels);
      split.set(query, [...(split.get(query) ?? []), series].sort());
    }
    for (const { query } of joined.signals) assert.deepEqual(split.get(query) ?? [], await answer(query), query);
    assert.equal(split.size, 3);
    // The failure counter rides along: the budget plans on the two standard signals only.
    assert.equal(joined.planned, 2);
  });

  it('count in the joined request whether the memory range query would answer anything, and only that', async () => {
    for (const namespace of ['media', 'kiln', 'nowhere']) {
      const joined = metricBatches(namespace).find((batch) => batch.probes);
      assert.ok(joined?.probes && joined.probeFound, namespace);
      assert.equal(joined.probes.signal, 'memory-working-set');
      const probes = (await answer(joined.query))
        .map((series) => JSON.parse(series.slice(0, series.indexOf(' → '))) as Record<string, string>)
        .filter((labels) => joined.probeFound?.(labels));
      const range = await fetch(
        `${prometheus.url}/api/v1/query?${new URLSearchParams({ query: joined.probes.query })}`,
      );
      const { data } = (await range.json()) as { data: { result: unknown[] } };
      assert.equal(probes.length, data.result.length > 0 ? 1 : 0, namespace);
      assert.equal(probes.length, namespace === 'media' ? 1 : 0, namespace);
    }
  });

  // A throttled dependency slows its callers while nothing of it errs: the namespaces the pods call into are asked with
  // the alerted one's, in the same request.
  it('ask the throttled share of the namespaces the pods call into with the alerted one, in the same request', async () => {
    const joined = metricBatches('shop', ['shop', 'kiln', 'media']).find((b) => b.signals.length > 1);
    assert.ok(joined);
    const shares = (await answer(joined.query)).filter(
      (series) => joined.signalOf(JSON.parse(series.split(' → ')[0] ?? '{}')).signal === 'cpu-throttling',
    );
    assert.deepEqual(shares.map((series) => JSON.parse(series.split(' → ')[0] ?? '{}').pod).sort(), [
      'glaze-0',
      'resize-0',
    ]);
    // Alone, the alerted namespace is all it asks.
    assert.match(metricBatches('shop').find((b) => b.signals.length > 1)?.query ?? '', /namespace="shop"/);
  });

  it('name the workloads whose own failure counters are above zero now, and what the counters are labelled with', () => {
    const at = (labels: Record<string, string>, value: number) => ({
      labels,
      values: [[T, value]] as [number, number][],
      signal: 'error-series',
    });
    const samples = [
      at({ __name__: 'kiln:loader_fire_errors:rate5m', namespace: 'kiln', deployment: 'loader', topic: 'fired' }, 0.5),
      // A raw counter only grows: above zero it says nothing of now.
      at({ __name__: 'glaze_errors_total', namespace: 'kiln', service: 'glaze' }, 12),
      // A failed Job's status gauge stays above zero long after: the API says as much.
      at({ __name__: 'kube_job_status_failed', namespace: 'kiln', job_name: 'fire-1' }, 1),
      // The background share of failed calls of a busy service.
      at({ __name__: 'kiln:http_requests:error_ratio_rate5m', namespace: 'kiln', service: 'shelf' }, 0.001),
      at({ __name__: 'kiln:http_requests:error_ratio_rate5m', namespace: 'kiln', service: 'till' }, 0.3),
      at({ __name__: 'kiln:loader_fire_errors:rate5m', namespace: 'other', deployment: 'loader' }, 3),
    ];
    assert.deepEqual(erringNames(samples, 'kiln', ['deployment', 'service']), ['loader', 'till']);
    assert.deepEqual(erringLabelValues(samples, 'kiln').sort(), [
      'deployment="loader"',
      'service="till"',
      'topic="fired"',
    ]);
  });

  it('find no errors in a namespace whose services all answer', async () => {
    const ratios = errorRatios(await requestRates('nowhere'));
    assert.equal(ratios.size, 0);
    const healthy = errorRatios([
      { labels: { service: 'web', status: '200' }, values: [[T, 3]], signal: 'request-rate' },
      { labels: { service: 'web', code: '404' }, values: [[T, 1]], signal: 'request-rate' },
    ]);
    assert.equal(healthy.get('web'), 0);
  });
});
