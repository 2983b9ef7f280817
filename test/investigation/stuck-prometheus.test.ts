import assert from 'node:assert/strict';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, it, mock } from 'node:test';
import { MemoryAuditLog } from '../../src/audit/audit-log.ts';
import { prometheusQuery } from '../../src/investigation/tools/prometheus-query.ts';
import { simulationKubeConfig } from '../../src/simulation/kubeconfig.ts';

// A Prometheus that takes every query and never answers (a query too heavy for it, a stuck remote read).
const received: IncomingMessage[] = [];
let closed = 0;
let arrived: (() => void) | undefined;
const server = createServer((request) => {
  received.push(request);
  request.socket.on('close', () => closed++);
  arrived?.();
});
let url = '';
before(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => {
  server.closeAllConnections();
  server.close();
});

it('a query Prometheus does not answer in time fails naming the query, and its connection is closed', async () => {
  mock.timers.enable({ apis: ['setTimeout'] });
  const arrival = new Promise<void>((resolve) => {
    arrived = resolve;
  });
  const query = 'sum by (pod) (rate(container_cpu_usage_seconds_total{namespace="shop"}[5m]))';
  const outcome = prometheusQuery
    .run(
      { query },
      {
        kubeConfig: simulationKubeConfig('http://127.0.0.1:1'),
        prometheusUrl: url,
        audit: new MemoryAuditLog(),
        now: new Date('2026-02-10T08:00:00Z'),
        reason: 'test',
      },
    )
    .then(
      () => null,
      (error: Error) => error,
    );
  await arrival;
  mock.timers.tick(10_000);
  const error = await outcome;
  mock.timers.reset();
  assert.equal(error?.message, `Prometheus query ${query}: no answer within 10 s`);
  const deadline = performance.now() + 5_000;
  while (closed === 0 && performance.now() < deadline) await new Promise((resolve) => setImmediate(resolve));
  assert.equal(closed, 1, 'the connection to Prometheus was left open after the timeout');
});
