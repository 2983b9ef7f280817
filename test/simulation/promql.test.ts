import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PromQLError } from '../../src/simulation/prometheus/errors.ts';
import { instantQuery, type QueryData, rangeQuery } from '../../src/simulation/prometheus/queries.ts';
import { toStoredSeries } from '../../src/simulation/prometheus/series.ts';
import { NOW, SERIES, T0 } from './prometheus-series.ts';

const store = toStoredSeries(SERIES);
const at = (seconds: number) => (T0 + seconds) * 1000;

/** The instant result as `labels → number`, labels rendered in a stable order. */
function vector(query: string, time = NOW.getTime()): Record<string, number> {
  const data = instantQuery(store, query, time);
  assert.equal(data.resultType, 'vector', `${query} should give a vector`);
  const result: Record<string, number> = {};
  for (const entry of (data as Extract<QueryData, { resultType: 'vector' }>).result) {
    assert.equal(entry.value[0], time / 1000);
    const key = Object.entries(entry.metric)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([k, v]) => `${k}=${v}`)
      .join(',');
    result[key] = Number(entry.value[1]);
  }
  return result;
}

function only(query: string, time?: number): number {
  const values = Object.values(vector(query, time));
  assert.equal(values.length, 1, `${query} should give one sample, got ${values.length}`);
  return values[0]!;
}

const close = (actual: number, expected: number) =>
  assert.ok(Math.abs(actual - expected) < 1e-9, `expected ${expected}, got ${actual}`);

describe('PromQL selectors', () => {
  it('returns the latest sample within five minutes and drops stale series', () => {
    assert.deepEqual(vector('memory_bytes'), { '__name__=memory_bytes,container=app,pod=p1': 600 });
    assert.deepEqual(vector('memory_bytes', at(0)), {
      '__name__=memory_bytes,container=app,pod=p1': 100,
      '__name__=memory_bytes,container=app,pod=p2': 7,
    });
    assert.equal(only('memory_bytes', at(599)), 600);
    assert.deepEqual(vector('memory_bytes', at(600)), {});
  });

  it('applies equality, inequality and anchored regex matchers', () => {
    assert.equal(Object.keys(vector('http_requests_total{instance="a"}')).length, 2);
    assert.equal(Object.keys(vector('http_requests_total{code!="200"}')).length, 1);
    assert.equal(Object.keys(vector('http_requests_total{instance=~"a|b", code!~"5.."}')).length, 2);
    assert.deepEqual(vector('http_requests_total{job=~"ap"}'), {});
    assert.equal(Object.keys(vector('{__name__=~"memory_.*"}')).length, 2);
    // An absent label matches the empty string.
    assert.equal(only('memory_bytes{container=""} or memory_limit_bytes{container=""}'), 1000);
  });

  it('shifts the evaluation time with offset', () => {
    assert.equal(only('memory_bytes{pod="p1"} offset 2m'), 400);
    assert.equal(only('max_over_time(memory_bytes[1m] offset 3m)'), 300);
  });

  it('returns raw samples for a range selector', () => {
    const data = instantQuery(store, 'memory_bytes[2m]', NOW.getTime());
    assert.deepEqual(data, {
      resultType: 'matrix',
      result: [
        {
          metric: { __name__: 'memory_bytes', pod: 'p1', container: 'app' },
          values: [
            [T0 + 240, '500'],
            [T0 + 300, '600'],
          ],
        },
      ],
    });
  });
});

describe('PromQL range functions', () => {
  it('rate and increase extrapolate to the window edge like Prometheus', () => {
    // 170,180,190,200 at 255..300 s in (240, 300]: change 30 over 45 s, extrapolated by 15 s to 40.
    close(only('increase(http_requests_total{instance="a",code="200"}[1m])'), 40);
    close(only('rate(http_requests_total{instance="a",code="200"}[1m])'), 40 / 60);
    // 3,6,9,12: change 9, the zero point is exactly 15 s before the first sample: 12 over the minute.
    close(only('rate(http_requests_total{code="500"}[1m])'), 0.2);
  });

  it('counts through a counter reset', () => {
    // 50→60 (+10), reset to 5 (+5), →15 (+10): 25 over 45 s, extrapolated ×60/45.
    close(only('increase(http_requests_total{instance="b"}[1m])'), (25 * 60) / 45);
    close(only('irate(http_requests_total{instance="b"}[1m])'), 10 / 15);
    close(only('irate(http_requests_total{instance="b"}[1m])', at(285)), 5 / 15);
  });

  it('drops the metric name except for last_over_time', () => {
    assert.deepEqual(Object.keys(vector('rate(http_requests_total{instance="b"}[1m])')), [
      'code=200,instance=b,job=api',
    ]);
    assert.deepEqual(Object.keys(vector('last_over_time(memory_bytes{pod="p1"}[1m])')), [
      '__name__=memory_bytes,container=app,pod=p1',
    ]);
  });

  it('aggregates over time', () => {
    // (T0, T0+300] holds 200..600.
    assert.equal(only('avg_over_time(memory_bytes[5m])'), 400);
    assert.equal(only('sum_over_time(memory_bytes[5m])'), 2000);
    assert.equal(only('min_over_time(memory_bytes[5m])'), 200);
    assert.equal(only('max_over_time(memory_bytes[5m])'), 600);
    assert.equal(only('count_over_time(memory_bytes[5m])'), 5);
    assert.equal(only('last_over_time(memory_bytes[5m])'), 600);
    close(only('deriv(memory_bytes[5m])'), 100 / 60);
    close(only('delta(memory_bytes[5m])'), 400 * (300 / 240));
  });

  it('needs two samples for a rate', () => {
    assert.deepEqual(vector('rate(memory_limit_bytes[5m])'), {});
  });
});

describe('PromQL aggregations and operators', () => {
  it('groups with by and without, in prefix and suffix form', () => {
    assert.deepEqual(vector('sum by (instance) (http_requests_total)'), { 'instance=a': 212, 'instance=b': 15 });
    assert.deepEqual(vector('sum(http_requests_total) by (job)'), { 'job=api': 227 });
    assert.deepEqual(vector('max without (code) (http_requests_total)'), {
      'instance=a,job=api': 200,
      'instance=b,job=api': 15,
    });
    assert.deepEqual(vector('count(http_requests_total)'), { '': 3 });
    assert.deepEqual(vector('min(http_requests_total)'), { '': 12 });
    assert.deepEqual(vector('avg by (code) (http_requests_total)'), { 'code=200': 107.5, 'code=500': 12 });
  });

  it('selects the k largest or smallest samples whole, and interpolates quantiles', () => {
    const top = instantQuery(store, 'topk(2, http_requests_total)', NOW.getTime());
    assert.deepEqual(
      top.resultType === 'vector' &&
        top.result.map((entry) => [entry.metric.instance, entry.metric.code, entry.value[1]]),
      [
        ['a', '200', '200'],
        ['b', '200', '15'],
      ],
    );
    assert.deepEqual(vector('bottomk by (instance) (1, http_requests_total)'), {
      '__name__=http_requests_total,code=500,instance=a,job=api': 12,
      '__name__=http_requests_total,code=200,instance=b,job=api': 15,
    });
    // Sorted 12, 15, 200: the median is the middle one, the 75th lies halfway between 15 and 200.
    assert.equal(only('quantile(0.5, http_requests_total)'), 15);
    assert.equal(only('quantile(0.75, http_requests_total)'), 107.5);
  });

  it('computes an error ratio between two aggregated vectors', () => {
    const ratio = vector(
      'sum by (instance) (rate(http_requests_total{code="500"}[1m])) / sum by (instance) (rate(http_requests_total[1m]))',
    );
    assert.deepEqual(Object.keys(ratio), ['instance=a']);
    close(ratio['instance=a']!, 0.2 / (0.2 + 40 / 60));
  });

  it('filters with comparisons and keeps the value', () => {
    assert.deepEqual(vector('rate(http_requests_total[1m]) > 0.6'), { 'code=200,instance=a,job=api': 40 / 60 });
    assert.deepEqual(vector('memory_bytes >= 600'), { '__name__=memory_bytes,container=app,pod=p1': 600 });
    assert.deepEqual(vector('700 < memory_bytes'), {});
    assert.deepEqual(vector('memory_bytes > bool 700'), { 'container=app,pod=p1': 0 });
  });

  it('does arithmetic with scalars, precedence and parentheses', () => {
    assert.equal(only('memory_bytes / 1024 / 1024 * 1048576'), 600);
    assert.equal(only('memory_bytes - 100 * 2'), 400);
    assert.equal(only('(memory_bytes - 100) * 2'), 1000);
    assert.equal(only('-memory_bytes + 1'), -599);
    assert.deepEqual(instantQuery(store, '2 ^ 3 ^ 2', NOW.getTime()), {
      resultType: 'scalar',
      result: [T0 + 300, '512'],
    });
    assert.deepEqual(instantQuery(store, '1 / 0', NOW.getTime()), { resultType: 'scalar', result: [T0 + 300, '+Inf'] });
  });

  it('matches two vectors one-to-one, with on and ignoring', () => {
    // memory_bytes has a container label that the limit lacks: no match without on/ignoring.
    assert.deepEqual(vector('memory_bytes / memory_limit_bytes'), {});
    assert.deepEqual(vector('memory_bytes / on (pod) memory_limit_bytes'), { 'pod=p1': 0.6 });
    assert.deepEqual(vector('memory_bytes / ignoring (container) memory_limit_bytes'), { 'pod=p1': 0.6 });
  });

  it('computes histogram quantiles by linear interpolation', () => {
    // 100 observations: ≤0.1: 50, ≤0.5: 80, ≤1: 95. The 90th falls 10/15 into (0.5, 1].
    assert.deepEqual(vector('histogram_quantile(0.9, latency_seconds_bucket)'), { 'job=api': 0.5 + 0.5 * (10 / 15) });
    assert.equal(only('histogram_quantile(0.5, sum by (le) (latency_seconds_bucket))'), 0.1);
    // In the +Inf bucket: the highest finite bound.
    assert.equal(only('histogram_quantile(0.99, latency_seconds_bucket)'), 1);
  });
});

describe('PromQL range queries', () => {
  it('evaluates at every step, with the five-minute lookback', () => {
    const data = rangeQuery(store, 'memory_bytes', at(0), at(300), 60_000);
    assert.deepEqual(data, {
      resultType: 'matrix',
      result: [
        {
          metric: { __name__: 'memory_bytes', pod: 'p1', container: 'app' },
          values: [0, 60, 120, 180, 240, 300].map((t, i) => [T0 + t, String(100 * (i + 1))]),
        },
        {
          metric: { __name__: 'memory_bytes', pod: 'p2', container: 'app' },
          values: [0, 60, 120, 180, 240].map((t) => [T0 + t, '7']),
        },
      ],
    });
  });

  it('turns a scalar into one series without labels', () => {
    assert.deepEqual(rangeQuery(store, '1 + 1', at(0), at(30), 15_000), {
      resultType: 'matrix',
      result: [
        {
          metric: {},
          values: [
            [T0, '2'],
            [T0 + 15, '2'],
            [T0 + 30, '2'],
          ],
        },
      ],
    });
  });
});

describe('PromQL outside the subset', () => {
  for (const query of [
    'stddev(memory_bytes)',
    'topk(memory_bytes)',
    'rate(memory_bytes)',
    'memory_bytes[5m:1m]',
    '{}',
    '{pod=~".*"}',
    'sum(',
    'label_replace(memory_bytes, "a", "b", "c", "d")',
    'memory_bytes @ 1700000000',
    'memory_bytes / on (pod) group_left memory_limit_bytes',
    '1 > 2',
    'memory_bytes{pod=~"("}',
    'rate(memory_bytes[5m]) and 1',
    '"text"',
  ]) {
    it(`refuses ${query}`, () => {
      assert.throws(
        () => instantQuery(store, query, NOW.getTime()),
        (error: unknown) => error instanceof PromQLError && error.errorType === 'bad_data',
      );
    });
  }

  it('keeps series that differ only by name while the name stays', () => {
    assert.equal(Object.keys(vector('{__name__=~"cpu_.*"} > 0')).length, 2);
  });

  it('refuses a result where dropping the metric name leaves two identical series', () => {
    assert.throws(
      () => instantQuery(store, '{__name__=~"cpu_.*"} * 2', NOW.getTime()),
      (error: unknown) => error instanceof PromQLError && error.errorType === 'execution',
    );
  });

  it('refuses many-to-many matching at evaluation', () => {
    assert.throws(
      () => instantQuery(store, 'http_requests_total / on (job) http_requests_total', NOW.getTime()),
      (error: unknown) =>
        error instanceof PromQLError && error.errorType === 'execution' && /many-to-many/.test(error.message),
    );
  });
});
