/** What the collector asks Prometheus, by standard metric names only (cAdvisor, OpenTelemetry span metrics, HTTP request counters). */
export type MetricSignal = 'memory-working-set' | 'cpu-throttling' | 'request-rate';

export interface MetricQuery {
  signal: MetricSignal;
  query: string;
}

// A service mesh's proxies count every call between workloads (Istio's standard istio_requests_total), with the caller,
// the callee and the response: the call graph and where it fails, even when the applications log nothing about it.
const CALL_COUNTERS =
  'traces_span_metrics_calls_total|calls_total|http_server_requests_total|http_requests_total|istio_requests_total';
const CALL_LABELS = 'service_name, service, status_code, code, status';
const MESH_CALL_LABELS =
  'source_workload, source_workload_namespace, destination_service_name, destination_service_namespace, response_code';

const quoted = (value: string): string => JSON.stringify(value);

/**
 * The share of CFS periods throttled, per container, in one query: from the raw cAdvisor counters over the shortest
 * window that holds two samples of them (5 minutes, else 15 for a cAdvisor scraped every 5 minutes: a rate needs two
 * samples), or, where only a recording rule keeps it, the rule's own ratio (`…cfs_throttled…:ratio_rate5m`), or the
 * ratio of the rules that keep each counter's rate (`container_cpu_cfs_throttled_periods_total:rate5m`).
 */
function throttlingQuery(ns: string): string {
  const ratio = (window: string) =>
    `sum by (pod, container) (rate(container_cpu_cfs_throttled_periods_total{${ns}}[${window}]))` +
    ` / sum by (pod, container) (rate(container_cpu_cfs_periods_total{${ns}}[${window}]))`;
  const recorded = `max by (pod, container) ({__name__=~"${THROTTLED_RATIO_RULE}",${ns}})`;
  const recordedRates =
    `sum by (pod, container) ({__name__=~"${counterRateRule('cfs_throttled_periods_total')}",${ns}})` +
    ` / sum by (pod, container) ({__name__=~"${counterRateRule('cfs_periods_total')}",${ns}})`;
  return `(${ratio('5m')}) or (${ratio('15m')}) or ${recorded} or (${recordedRates})`;
}

/** A recording rule that keeps a counter's rate under the counter's name (`container_cpu_cfs_periods_total:rate5m`). */
const counterRateRule = (counter: string): string => `[a-z_:]*${counter}:[a-z_0-9:]*rate[a-z_0-9]*`;

// A recording rule's name keeps the counter it came from and says what it computed (`level:metric:operations`).
const THROTTLED_RATIO_RULE = '[a-z_:]*cfs_throttled[a-z_]*:[a-z_:]*(ratio|fraction)[a-z_0-9:]*';

/** The throttled share of CPU periods alone, in another namespace than the one under investigation. */
export const throttlingQueryFor = (namespace: string): MetricQuery => ({
  signal: 'cpu-throttling',
  query: throttlingQuery(`namespace=${quoted(namespace)}`),
});

/** At most three queries, all filtered to the namespace under investigation. */
export function metricQueries(namespace: string): MetricQuery[] {
  const ns = `namespace=${quoted(namespace)}`;
  return [
    // Raw samples over the window: detectors compare them with the container limits and look for growth.
    { signal: 'memory-working-set', query: `container_memory_working_set_bytes{${ns},container!=""}[30m]` },
    { signal: 'cpu-throttling', query: throttlingQuery(ns) },
    // Server-side calls per service and status, from span metrics, the usual HTTP counters or the mesh's, in one query:
    // an absent span_kind (HTTP counters carry none) matches the empty alternative; the mesh's caller and callee labels
    // are kept (absent on the others, they group nothing apart).
    {
      signal: 'request-rate',
      query:
        `sum by (${CALL_LABELS}, ${MESH_CALL_LABELS}) (rate({__name__=~"${CALL_COUNTERS}",${ns},` +
        `span_kind=~"SPAN_KIND_SERVER|"}[5m]))`,
    },
  ];
}

/**
 * One request answering several signals: their queries joined by `or`. Each series of the answer is told apart by its
 * labels and keeps the signal and query it would have had asked alone, so the snapshot holds what separate queries
 * would have put there.
 */
export interface MetricBatch {
  query: string;
  signals: MetricQuery[];
  signalOf(labels: Record<string, string>): MetricQuery;
}

/**
 * The metric queries in as few requests as PromQL allows: the memory samples are a range vector, which no instant
 * query can join, so they go alone; the throttled share and the call rates are instant vectors that `or` joins in
 * one request. The throttling arms keep `pod` and `container` and the call counters' grouping keeps neither, so no
 * series of one can hide one of the other (`or` drops a right-hand series only when its labels equal a left-hand one's)
 * and a series with either label is the throttled share. The budget still plans on one request per signal (planned).
 */
export function metricBatches(namespace: string): MetricBatch[] {
  const queries = metricQueries(namespace);
  const memory = queries.filter((q) => q.signal === 'memory-working-set');
  const instant = queries.filter((q) => q.signal !== 'memory-working-set');
  const batches: MetricBatch[] = memory.map((q) => ({ query: q.query, signals: [q], signalOf: () => q }));
  const throttling = instant.find((q) => q.signal === 'cpu-throttling');
  const calls = instant.find((q) => q.signal === 'request-rate');
  if (throttling && calls) {
    batches.push({
      query: `(${throttling.query}) or (${calls.query})`,
      signals: [throttling, calls],
      signalOf: (labels) => ('pod' in labels || 'container' in labels ? throttling : calls),
    });
  } else batches.push(...instant.map((q) => ({ query: q.query, signals: [q], signalOf: () => q })));
  return batches;
}

/** Per service: the share of server calls that ended in error, from the request-rate samples. */
export function errorRatios(
  samples: { labels: Record<string, string>; values: [number, number][]; signal?: string }[],
) {
  const totals = new Map<string, { calls: number; errors: number }>();
  for (const sample of samples) {
    if (sample.signal !== 'request-rate') continue;
    const service = sample.labels.service_name ?? sample.labels.service ?? sample.labels.destination_service_name;
    const rate = sample.values.at(-1)?.[1];
    if (!service || rate === undefined || !Number.isFinite(rate)) continue;
    const total = totals.get(service) ?? { calls: 0, errors: 0 };
    total.calls += rate;
    if (isError(sample.labels)) total.errors += rate;
    totals.set(service, total);
  }
  return new Map([...totals].map(([service, { calls, errors }]) => [service, calls > 0 ? errors / calls : 0]));
}

/** A span that ended in error, or an HTTP response with a 5xx status (`503`, or a class like `5xx`). */
const isError = (labels: Record<string, string>): boolean =>
  labels.status_code === 'STATUS_CODE_ERROR' ||
  /^5(\d\d|xx)$/i.test(labels.code ?? labels.status ?? labels.response_code ?? '');
