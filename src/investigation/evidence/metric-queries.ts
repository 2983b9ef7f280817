import { literal } from './config-mentions.ts';

/** What the collector asks Prometheus, by standard metric names only (cAdvisor, OpenTelemetry span metrics, HTTP request counters). */
export type MetricSignal = 'memory-working-set' | 'cpu-throttling' | 'request-rate' | 'error-series';

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
  /** Of the signals, those the budget plans on a request each (metricQueries): the rest ride along unplanned. */
  planned: number;
  /**
   * A range query that no instant query can join, whose series this batch counts in one arm of its own (`probeFound`):
   * a whole answer without that series says the range query would answer nothing, and it is not sent.
   */
  probes?: MetricQuery;
  /** Whether a series of the answer is the probe's count rather than a signal's series. */
  probeFound?(labels: Record<string, string>): boolean;
}

/**
 * How many series a range query holds within its window, as one series labelled with the namespace alone (no other arm
 * of a batch yields one: the call counters are grouped without `namespace`, the throttling by pod and container, the
 * error series keep their name), so an instant batch tells whether the range query would answer anything.
 */
const presenceArm = (range: MetricQuery): string => `count by (namespace) (count_over_time(${range.query}))`;
const isPresenceCount = (labels: Record<string, string>): boolean => {
  const names = Object.keys(labels);
  return names.length === 1 && names[0] === 'namespace';
};

// Metric names that count what failed: `…_errors_total`, `…:error_ratio_rate5m`, `…_failed_total:rate5m`, `…_rejected…`.
const ERROR_NAMES = '[a-zA-Z_:]*(?:error|fail|reject)[a-zA-Z_0-9:]*';

/**
 * The series of the namespaces whose name says they count errors, failures or refusals, at a value above zero: which
 * workload an application's own counters say is failing (a producer's record errors, a cache's refused writes), which
 * the standard call counters do not cover. Raw, so each keeps its name and labels (the workload, the topic it names).
 */
const erringSeriesQuery = (namespaces: readonly string[]): MetricQuery => ({
  signal: 'error-series',
  query: `{__name__=~"${ERROR_NAMES}",namespace=~${quoted(namespaces.map(literal).join('|'))}} > 0`,
});

/**
 * The metric queries in as few requests as PromQL allows: the memory samples are a range vector, which no instant
 * query can join, so they go alone; the throttled share and the call rates are instant vectors that `or` joins in
 * one request. The throttling arms keep `pod` and `container` and the call counters' grouping keeps neither, so no
 * series of one can hide one of the other (`or` drops a right-hand series only when its labels equal a left-hand one's)
 * and a series with either label is the throttled share. The budget still plans on one request per signal (planned).
 */
export function metricBatches(namespace: string, erringIn: readonly string[] = [namespace]): MetricBatch[] {
  const queries = metricQueries(namespace);
  const alone = (q: MetricQuery): MetricBatch => ({ query: q.query, signals: [q], signalOf: () => q, planned: 1 });
  const memory = queries.filter((q) => q.signal === 'memory-working-set');
  const instant = queries.filter((q) => q.signal !== 'memory-working-set');
  const batches: MetricBatch[] = memory.map(alone);
  // A dependency throttled under its CPU limit slows every caller and every producer whose work it does, while nothing
  // of it errs: its share of throttled periods is asked with the alerted namespace's, in the same request, for the
  // namespaces the pods call into.
  const throttling =
    erringIn.length > 1
      ? {
          signal: 'cpu-throttling' as const,
          query: throttlingQuery(`namespace=~${quoted(erringIn.map(literal).join('|'))}`),
        }
      : instant.find((q) => q.signal === 'cpu-throttling');
  const calls = instant.find((q) => q.signal === 'request-rate');
  if (throttling && calls) {
    // The error series alone keep their name (the other arms aggregate it away): that tells them apart.
    const errors = erringSeriesQuery(erringIn);
    // Most namespaces' memory samples are there or not as a whole: the instant batch counts them, so that the range
    // query goes out only when it has something to answer.
    const [range] = memory;
    batches.push({
      query: `(${throttling.query}) or (${calls.query}) or (${errors.query})${range ? ` or (${presenceArm(range)})` : ''}`,
      signals: [throttling, calls, errors],
      signalOf: (labels) =>
        '__name__' in labels ? errors : 'pod' in labels || 'container' in labels ? throttling : calls,
      planned: 2,
      ...(range ? { probes: range, probeFound: isPresenceCount } : {}),
    });
  } else batches.push(...instant.map(alone));
  return batches;
}

/**
 * kube-state-metrics' gauges (`kube_job_status_failed`) export the objects' status, which the API answers already; a
 * failed Job's stays above zero long after it ended. They say which object, not which workload fails now.
 */
const OBJECT_STATE = /^kube_/;

/** A share of calls failing below this is the background every busy service has, not a failure of its own. */
const BACKGROUND_ERROR_RATIO = 0.01;

/** Raw counters only ever grow: above zero they say nothing of now. Rates, ratios and gauges do. */
const CUMULATIVE = /_(?:total|count|sum|bucket)$/;

type Sample = { labels: Record<string, string>; values: [number, number][]; signal?: string };

/** The error-series samples of the namespaces chosen that say they fail now: above zero, and not a raw counter. */
function erringNow(samples: readonly Sample[], inNamespace: (namespace: string) => boolean): Sample[] {
  return samples.filter((sample) => {
    const name = sample.labels.__name__ ?? '';
    const value = sample.values.at(-1)?.[1] ?? 0;
    return (
      sample.signal === 'error-series' &&
      inNamespace(sample.labels.namespace ?? '') &&
      value > (/ratio/i.test(name) ? BACKGROUND_ERROR_RATIO : 0) &&
      (name.includes(':') || !CUMULATIVE.test(name)) &&
      !OBJECT_STATE.test(name)
    );
  });
}

/**
 * Names of workloads, pods and Services of the namespace that counters of their own say are failing now (the
 * error-series signal): `service`, `deployment`, `pod`… labels of a series above zero, highest first.
 */
export function erringNames(samples: readonly Sample[], namespace: string, namingLabels: readonly string[]): string[] {
  const rates = new Map<string, number>();
  for (const sample of erringNow(samples, (where) => where === namespace)) {
    const value = sample.values.at(-1)?.[1] ?? 0;
    for (const label of namingLabels) {
      const named = sample.labels[label];
      if (named) rates.set(named, Math.max(rates.get(named) ?? 0, value));
    }
  }
  return [...rates].sort((a, b) => b[1] - a[1]).map(([named]) => named);
}

/** Pods of other namespaces than this one that their own counters say are failing now (a server's exporter's). */
export const erringPodsElsewhere = (
  samples: readonly Sample[],
  namespace: string,
): { namespace: string; pod: string }[] =>
  erringNow(samples, (where) => where !== '' && where !== namespace)
    .filter((sample) => sample.labels.pod)
    .map((sample) => ({ namespace: sample.labels.namespace ?? '', pod: sample.labels.pod ?? '' }));

/** What the namespace's failing counters are labelled with (a topic, a queue, a bucket), as `label="value"` words. */
export const erringLabelValues = (samples: readonly Sample[], namespace: string): string[] =>
  erringNow(samples, (where) => where === namespace).flatMap((sample) =>
    Object.entries(sample.labels)
      .filter(([label]) => label !== '__name__' && label !== 'namespace')
      .map(([label, value]) => `${label}="${value}"`),
  );

/** Per service: the share of server calls that ended in error, from the request-rate samples. */
export function errorRatios(samples: readonly Sample[]) {
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
