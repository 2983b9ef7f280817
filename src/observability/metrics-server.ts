import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readiness } from '../http/readiness.ts';
import { registry } from './metrics.ts';

export interface MetricsServer {
  port: number;
  close(): Promise<void>;
}

/**
 * Every role's operations port (METRICS_PORT): GET /metrics for Prometheus, /healthz and /readyz for the
 * kubelet (the worker and executor have no other port). Apart from the web port, so an Ingress to the
 * web role never exposes metrics.
 */
export async function startMetricsServer(
  port: number,
  checks: Record<string, () => Promise<unknown>>,
): Promise<MetricsServer> {
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    const send = (status: number, contentType: string, body: string) => {
      res.writeHead(status, { 'content-type': contentType });
      res.end(body);
    };
    if (req.method !== 'GET') return send(405, 'text/plain', 'only GET\n');
    if (path === '/metrics') {
      registry.metrics().then(
        (text) => send(200, registry.contentType, text),
        (error: Error) => send(500, 'text/plain', `${error.message}\n`),
      );
      return;
    }
    if (path === '/healthz') return send(200, 'application/json', '{"status":"ok"}');
    if (path === '/readyz') {
      void readiness(checks).then((ready) => send(ready.status, 'application/json', JSON.stringify(ready.body)));
      return;
    }
    send(404, 'text/plain', 'not found: /metrics, /healthz, /readyz\n');
  });
  server.listen(port);
  await once(server, 'listening');
  return {
    port: (server.address() as AddressInfo).port,
    async close() {
      const closed = once(server, 'close');
      server.close();
      server.closeIdleConnections();
      await closed;
    },
  };
}
