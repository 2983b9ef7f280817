/**
 * Alert storms at 200: a burst of 200 Alertmanager alerts from one fault (one namespace, 200 rules) must end in one
 * thread with one investigation; 200 alerts from 200 unrelated faults (200 namespaces) in 200 threads. Through the
 * web server, the queue and a worker (in this process), real Postgres and Redis, the fake Slack. Prints webhook
 * latency, incidents, threads, investigations and the Slack calls the storm's related-alerts message took.
 * `npx tsx bench/alert-storm.ts` (also part of `npm run bench`).
 */
import { type Simulation, startSimulation } from '../src/simulation/simulation.ts';
import { until } from '../test/support/until.ts';
import { type Harness, isAnswer, startHarness } from '../test/web/harness.ts';
import { TINY_CLUSTER } from '../test/web/tiny-cluster.ts';

const ALERTS = 200;
const CONCURRENCY = 50;

const group = (name: string, namespace: string, pod?: string) => {
  const labels = { alertname: name, namespace, severity: 'page', ...(pod ? { pod } : {}) };
  return JSON.stringify({
    version: '4',
    groupKey: `{}:{alertname="${name}", namespace="${namespace}"}`,
    status: 'firing',
    groupLabels: { alertname: name, namespace },
    commonLabels: labels,
    commonAnnotations: { summary: `${name} in ${namespace}` },
    alerts: [{ status: 'firing', labels, annotations: {}, fingerprint: `${name}-${namespace}` }],
  });
};

const percentile = (values: number[], p: number) =>
  [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor((p / 100) * values.length))] ?? 0;

/** Posts every body, `CONCURRENCY` at a time; each webhook's answer time (a 503 is sent again, as senders retry). */
async function post(h: Harness, bodies: string[]): Promise<{ ms: number[]; statuses: Record<number, number> }> {
  const ms: number[] = [];
  const statuses: Record<number, number> = {};
  let next = 0;
  const lane = async () => {
    while (next < bodies.length) {
      const body = bodies[next++]!;
      const started = performance.now();
      for (;;) {
        const response = await h.post('/webhooks/alertmanager', body, { authorization: 'Bearer am-token' });
        statuses[response.status] = (statuses[response.status] ?? 0) + 1;
        await response.arrayBuffer();
        if (response.status !== 503) break;
      }
      ms.push(performance.now() - started);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, lane));
  return { ms, statuses };
}

/**
 * The storm runs with a worker (one thread, one answer, the related-alerts message); the unrelated alerts without
 * one: 200 investigations are the burst bench's business (bench/burst.ts), here what counts is 200 incidents each
 * queued once — each gets exactly one thread when a worker takes it.
 */
async function measure(label: string, bodies: string[], expectedThreads: number): Promise<void> {
  const storm = expectedThreads === 1;
  const sim: Simulation = await startSimulation(TINY_CLUSTER);
  const h = await startHarness(storm ? { kubeConfig: sim.kubeConfig } : {});
  try {
    const started = performance.now();
    const { ms, statuses } = await post(h, bodies);
    const storedMs = performance.now() - started;
    if (storm) await h.slack.waitFor(() => h.slack.callsTo('chat.postMessage').some(isAnswer), 120_000);
    const answeredMs = performance.now() - started;
    const db = h.database.db;
    // The related-alerts message catches up after the answer: wait until it shows every alert.
    if (storm)
      await until(
        'the related-alerts message to show every alert',
        () =>
          h.slack
            .storedMessages()
            .some((message) => new RegExp(`${ALERTS - 1} related alerts`).test(String(message.text))),
        60_000,
      );
    const related = h.slack.storedMessages().filter((message) => /related alert/.test(String(message.text)));
    const relatedTs = new Set(related.map((message) => message.ts));
    const relatedEdits = h.slack.callsTo('chat.update').filter((call) => relatedTs.has(String(call.args.ts))).length;
    const line = (name: string, value: string, ok = true) => `  ${ok ? 'ok  ' : 'MISS'} ${name.padEnd(22)} ${value}`;
    const incidents = await db.incident.count();
    const threads = storm ? h.slack.rootMessages().length : incidents;
    // Without grouping, each incident's job is added once its webhook was answered.
    if (!storm) await until('every job to be added', async () => (await h.jobs.count()) >= incidents, 10_000);
    const investigations = storm ? await db.investigation.count() : await h.jobs.count();
    const statusText = Object.entries(statuses)
      .map(([status, count]) => `${count}× ${status}`)
      .join(', ');
    console.log(`${label}: ${bodies.length} alerts at concurrency ${CONCURRENCY}, one web server and worker`);
    console.log(
      line(
        'webhook p50 / p99',
        `${percentile(ms, 50).toFixed(0)} / ${percentile(ms, 99).toFixed(0)} ms (${statusText})`,
      ),
    );
    console.log(line('all stored', `${(storedMs / 1000).toFixed(1)} s after the first webhook`));
    console.log(
      line(
        storm ? 'threads' : 'incidents',
        `${threads} (expected ${expectedThreads})${storm ? `, ${incidents} incident` : ', one thread each once a worker takes it'}`,
        threads === expectedThreads,
      ),
    );
    console.log(
      line(
        storm ? 'investigations' : 'investigations queued',
        `${investigations} (expected ${expectedThreads})`,
        investigations === expectedThreads,
      ),
    );
    if (storm) console.log(line('answered', `${(answeredMs / 1000).toFixed(1)} s after the first webhook`));
    if (expectedThreads === 1)
      console.log(
        line(
          'related-alerts message',
          `${related.length} message, posted once and edited ${relatedEdits}× for ${ALERTS - 1} related alerts`,
          related.length === 1,
        ),
      );
  } finally {
    await h.close();
    await sim.close();
  }
}

export async function alertStormCase(only?: string): Promise<void> {
  if (only !== 'unrelated')
    await measure(
      'alert storm, one fault',
      Array.from({ length: ALERTS }, (_, i) => group(`CheckoutSymptom${i}`, 'shop', i % 2 ? 'checkout-0' : undefined)),
      1,
    );
  if (only !== 'storm')
    await measure(
      'alerts of unrelated faults',
      Array.from({ length: ALERTS }, (_, i) => group('KubePodCrashLooping', `team-${i}`, `api-${i}`)),
      ALERTS,
    );
}

// `npx tsx bench/alert-storm.ts [storm|unrelated]`: one half only.
if (process.argv[1]?.endsWith('alert-storm.ts')) await alertStormCase(process.argv[2]);
