import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PromQLError } from './errors.ts';
import { labelNames, labelValues, selectSeries, seriesLabels } from './metadata.ts';
import { instantQuery, parseStep, parseTime, rangeQuery } from './queries.ts';
import { type ScenarioSeries, type StoredSeries, toStoredSeries } from './series.ts';
import { errorMessage } from '../../observability/error-message.ts';

export interface PrometheusRequest {
  method: string;
  path: string;
  /** Query-string and form parameters; a parameter given more than once (`match[]`) becomes an array. */
  query: Record<string, string | string[]>;
}

export interface PrometheusSimulator {
  url: string;
  requests(): PrometheusRequest[];
  close(): Promise<void>;
}

export interface PrometheusSimulatorOptions {
  /** The scenario's clock: the default evaluation time of instant queries (never the wall clock). */
  now: Date;
  /** 0 or absent: any free port. */
  port?: number;
  /**
   * Serve the API under this path (`/x`: `/x/api/v1/query`), as Prometheus's `--web.route-prefix` does. A request
   * outside it is answered 404 and not listed by `requests()`: on a shared machine a port is reused as soon as it is
   * freed, and another process still polling it (a readiness check retried) must not count as this simulator's client.
   */
  routePrefix?: string;
}

type Params = URLSearchParams;

/** Serves the Prometheus HTTP API (query, query_range, series, labels, label values) over a scenario's series on loopback. */
export async function startPrometheusSimulator(
  metrics: readonly ScenarioSeries[],
  options: PrometheusSimulatorOptions,
): Promise<PrometheusSimulator> {
  const store = toStoredSeries(metrics);
  const now = options.now.getTime();
  const log: PrometheusRequest[] = [];
  const prefix = options.routePrefix ?? '';
  if (prefix && !/^\/[^?#]*[^/?#]$/.test(prefix))
    throw new Error(`route prefix ${prefix}: a path without a trailing /`);
  const server = createServer((req, res) => {
    const requested = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (!requested.startsWith(`${prefix}/`)) return sendError(res, new NotFound(`no such endpoint: ${requested}`));
    const path = requested.slice(prefix.length);
    readParams(req)
      .then((params) => {
        log.push({ method: req.method ?? 'GET', path, query: toRecord(params) });
        send(res, 200, { status: 'success', data: route(store, now, req.method ?? 'GET', path, params) });
      })
      .catch((error: unknown) => sendError(res, error));
  });
  // Idle keep-alive connections are closed by the client only (see the simulated API server).
  server.keepAliveTimeout = 0;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${prefix}`,
    requests: () => log.map((entry) => ({ ...entry })),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

class NotFound extends Error {}

function route(store: readonly StoredSeries[], now: number, method: string, path: string, params: Params): unknown {
  if (method !== 'GET' && method !== 'POST') throw new NotFound(`method ${method} not allowed`);
  const bounds = () => ({
    start: params.has('start') ? parseTime('start', params.get('start')!) : -Infinity,
    end: params.has('end') ? parseTime('end', params.get('end')!) : Infinity,
  });
  switch (path) {
    case '/api/v1/query': {
      const time = params.has('time') ? parseTime('time', params.get('time')!) : now;
      return instantQuery(store, required(params, 'query'), time);
    }
    case '/api/v1/query_range':
      return rangeQuery(
        store,
        required(params, 'query'),
        parseTime('start', required(params, 'start')),
        parseTime('end', required(params, 'end')),
        parseStep('step', required(params, 'step')),
      );
    case '/api/v1/series': {
      const matchers = params.getAll('match[]');
      if (matchers.length === 0) throw new PromQLError('no match[] parameter provided');
      return seriesLabels(selectSeries(store, matchers, bounds()));
    }
    case '/api/v1/labels':
      return labelNames(selectSeries(store, params.getAll('match[]'), bounds()));
  }
  const values = /^\/api\/v1\/label\/([^/]+)\/values$/.exec(path);
  if (values)
    return labelValues(selectSeries(store, params.getAll('match[]'), bounds()), decodeURIComponent(values[1]!));
  throw new NotFound(`no such endpoint: ${path}`);
}

function required(params: Params, name: string): string {
  const value = params.get(name);
  if (value === null) {
    throw new PromQLError(
      name === 'query'
        ? 'invalid parameter "query": unknown position: parse error: no expression found in input'
        : `invalid parameter "${name}": cannot parse "" to a valid timestamp`,
    );
  }
  return value;
}

// Prometheus accepts parameters in the query string and, for POST, as an urlencoded form body.
async function readParams(req: IncomingMessage): Promise<Params> {
  const params = new URL(req.url ?? '/', 'http://localhost').searchParams;
  if (req.method !== 'POST') return params;
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const body = Buffer.concat(chunks).toString('utf8');
  if (!(req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) return params;
  for (const [name, value] of new URLSearchParams(body)) params.append(name, value);
  return params;
}

function toRecord(params: Params): Record<string, string | string[]> {
  const record: Record<string, string | string[]> = {};
  for (const name of new Set(params.keys())) {
    const all = params.getAll(name);
    record[name] = all.length === 1 ? all[0]! : all;
  }
  return record;
}

function sendError(res: ServerResponse, error: unknown): void {
  if (error instanceof NotFound) {
    send(res, 404, { status: 'error', errorType: 'not_found', error: error.message });
  } else if (error instanceof PromQLError) {
    send(res, error.errorType === 'bad_data' ? 400 : 422, {
      status: 'error',
      errorType: error.errorType,
      error: error.message,
    });
  } else {
    send(res, 500, { status: 'error', errorType: 'internal', error: errorMessage(error) });
  }
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}
