import { get as httpGet } from 'node:http';
import { get as httpsGet } from 'node:https';
import { z } from 'zod';
import { withTimeout } from '../../kube/timeout.ts';
import type { MetricSample } from '../evidence/snapshot.ts';
import { defineTool } from './tool.ts';

const SampleValue = z.tuple([z.number(), z.string()]);
const Labels = z.record(z.string(), z.string());

const QueryResponse = z.discriminatedUnion('status', [
  z.object({
    status: z.literal('success'),
    data: z.discriminatedUnion('resultType', [
      z.object({ resultType: z.literal('vector'), result: z.array(z.object({ metric: Labels, value: SampleValue })) }),
      z.object({
        resultType: z.literal('matrix'),
        result: z.array(z.object({ metric: Labels, values: z.array(SampleValue) })),
      }),
      z.object({ resultType: z.literal('scalar'), result: SampleValue }),
      z.object({ resultType: z.literal('string'), result: SampleValue }),
    ]),
  }),
  z.object({ status: z.literal('error'), errorType: z.string().optional(), error: z.string() }),
]);

/** Series one query answers at most, unless its caller asks for more (a batch of queries keeps this many each). */
export const MAX_SERIES = 50;
const MAX_SERIES_ASKED = 500;

/** A query Prometheus does not answer in time is aborted (its connection closed) and fails naming the query. */
const QUERY_TIMEOUT_MS = 10_000;

const sample = ([time, value]: [number, string]): [number, number] => [time, Number(value)];

/**
 * GET `url`'s JSON over node's http(s) with its keep-alive agent, whatever the status (Prometheus explains an error in
 * JSON). Not `fetch`: its streams and header objects cost twice the request itself, several times an investigation.
 * Fails as fetch fails (the signal's reason when aborted, else "fetch failed" with the cause), so callers see the same.
 */
function getJson(url: URL, signal: AbortSignal): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const fail = (error: unknown) =>
      reject(signal.aborted ? signal.reason : new TypeError('fetch failed', { cause: error }));
    const get = url.protocol === 'https:' ? httpsGet : httpGet;
    get(url, { signal }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('error', fail);
      response.on('end', () => {
        try {
          resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
        } catch (error) {
          reject(error);
        }
      });
    }).on('error', fail);
  });
}

export const prometheusQuery = defineTool({
  name: 'prometheus_query',
  description:
    'Evaluate an instant PromQL query (e.g. rate(...[5m]), ratios by label). Answers at most 50 series. Filter by ' +
    'namespace; the time defaults to the investigation time.',
  args: z.object({
    query: z.string().min(1),
    time: z.iso.datetime({ offset: true }).optional().describe('RFC 3339 evaluation time'),
    maxSeries: z.number().int().positive().max(MAX_SERIES_ASKED).optional().describe('series kept (default 50)'),
  }),
  target: (args) => args.query,
  async execute(args, ctx): Promise<{ series: MetricSample[]; truncated: boolean }> {
    if (!ctx.prometheusUrl) throw new Error('no Prometheus is configured (PROMETHEUS_URL)');
    const url = new URL('api/v1/query', ctx.prometheusUrl.endsWith('/') ? ctx.prometheusUrl : `${ctx.prometheusUrl}/`);
    url.searchParams.set('query', args.query);
    const time = args.time ? new Date(args.time) : ctx.now;
    if (time) url.searchParams.set('time', String(time.getTime() / 1000));
    const answer = await withTimeout(
      `Prometheus query ${args.query}`,
      (signal) => getJson(url, signal),
      QUERY_TIMEOUT_MS,
    );
    const body = QueryResponse.parse(answer);
    if (body.status === 'error') throw new Error(`Prometheus: ${body.error}`);
    const data = body.data;
    const series: MetricSample[] =
      data.resultType === 'vector'
        ? data.result.map((entry) => ({ labels: entry.metric, query: args.query, values: [sample(entry.value)] }))
        : data.resultType === 'matrix'
          ? data.result.map((entry) => ({ labels: entry.metric, query: args.query, values: entry.values.map(sample) }))
          : [{ labels: {}, query: args.query, values: [sample(data.result)] }];
    const kept = args.maxSeries ?? MAX_SERIES;
    return { series: series.slice(0, kept), truncated: series.length > kept };
  },
});
