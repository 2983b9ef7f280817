import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type PrometheusSimulator, startPrometheusSimulator } from '../../src/simulation/prometheus/server.ts';
import { NOW, SERIES, T0 } from './prometheus-series.ts';

let prometheus: PrometheusSimulator;

before(async () => {
  prometheus = await startPrometheusSimulator(SERIES, { now: NOW });
});
after(() => prometheus.close());

async function get(path: string, params: Record<string, string | string[]> = {}) {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) for (const v of [value].flat()) search.append(name, v);
  const response = await fetch(`${prometheus.url}${path}?${search}`);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe('simulated Prometheus HTTP API', () => {
  it('answers an instant query at the scenario clock by default', async () => {
    const { status, body } = await get('/api/v1/query', { query: 'memory_bytes' });
    assert.equal(status, 200);
    assert.deepEqual(body, {
      status: 'success',
      data: {
        resultType: 'vector',
        result: [{ metric: { __name__: 'memory_bytes', pod: 'p1', container: 'app' }, value: [T0 + 300, '600'] }],
      },
    });
  });

  it('honours the time parameter as unix seconds or RFC 3339', async () => {
    const unix = await get('/api/v1/query', { query: 'sum(memory_bytes)', time: String(T0 + 60) });
    assert.deepEqual(unix.body.data, { resultType: 'vector', result: [{ metric: {}, value: [T0 + 60, '207'] }] });
    const rfc = await get('/api/v1/query', { query: 'sum(memory_bytes)', time: new Date(T0 * 1000).toISOString() });
    assert.deepEqual(rfc.body.data, { resultType: 'vector', result: [{ metric: {}, value: [T0, '107'] }] });
  });

  it('accepts a POSTed form like Prometheus', async () => {
    const response = await fetch(`${prometheus.url}/api/v1/query`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ query: 'rate(http_requests_total{code="500"}[1m])' }).toString(),
    });
    const body = (await response.json()) as { data: { result: { value: [number, string] }[] } };
    assert.equal(response.status, 200);
    assert.ok(Math.abs(Number(body.data.result[0]!.value[1]) - 0.2) < 1e-9);
  });

  it('answers a range query with a matrix', async () => {
    const { body } = await get('/api/v1/query_range', {
      query: 'memory_limit_bytes',
      start: String(T0 + 240),
      end: String(T0 + 360),
      step: '1m',
    });
    assert.deepEqual(body.data, {
      resultType: 'matrix',
      result: [
        {
          metric: { __name__: 'memory_limit_bytes', pod: 'p1' },
          values: [
            [T0 + 300, '1000'],
            [T0 + 360, '1000'],
          ],
        },
      ],
    });
  });

  it('lists series, label names and label values', async () => {
    const series = await get('/api/v1/series', { 'match[]': ['memory_bytes{pod="p2"}', 'memory_limit_bytes'] });
    assert.deepEqual(series.body.data, [
      { __name__: 'memory_bytes', pod: 'p2', container: 'app' },
      { __name__: 'memory_limit_bytes', pod: 'p1' },
    ]);
    const labels = await get('/api/v1/labels', { 'match[]': 'memory_bytes' });
    assert.deepEqual(labels.body.data, ['__name__', 'container', 'pod']);
    const values = await get('/api/v1/label/instance/values');
    assert.deepEqual(values.body.data, ['a', 'b']);
  });

  it('answers queries outside the subset with bad_data', async () => {
    const { status, body } = await get('/api/v1/query', { query: 'count_values("v", memory_bytes)' });
    assert.equal(status, 400);
    assert.equal(body.status, 'error');
    assert.equal(body.errorType, 'bad_data');
    assert.match(String(body.error), /count_values/);
  });

  it('refuses missing or malformed parameters', async () => {
    assert.equal((await get('/api/v1/query')).status, 400);
    assert.equal((await get('/api/v1/series')).body.error, 'no match[] parameter provided');
    const range = await get('/api/v1/query_range', { query: 'up', start: 'yesterday', end: '1', step: '1' });
    assert.equal(range.status, 400);
    assert.match(String(range.body.error), /invalid parameter "start"/);
    assert.equal((await get('/api/v1/nothing')).status, 404);
  });

  it('records every request it answered', async () => {
    const before = prometheus.requests().length;
    await get('/api/v1/query', { query: 'up', time: '5' });
    const requests = prometheus.requests();
    assert.equal(requests.length, before + 1);
    assert.deepEqual(requests.at(-1), { method: 'GET', path: '/api/v1/query', query: { query: 'up', time: '5' } });
  });
});
