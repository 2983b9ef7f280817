import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type MetricsServer, startMetricsServer } from '../../src/observability/metrics-server.ts';
import { type Simulation, startSimulation } from '../../src/simulation/simulation.ts';
import { startStack } from '../remediation/harness.ts';
import {
  finalAnswer,
  type ScriptedOpenAI,
  scriptedAgentConfig,
  startScriptedOpenAI,
} from '../support/scripted-openai.ts';
import { until } from '../support/until.ts';
import { answeredThread, type Harness, pagerDutyEvent, startHarness } from '../web/harness.ts';
import { TINY_CLUSTER } from '../web/tiny-cluster.ts';

/** One sample of the exposition format: `name{label="value",…} number`. */
interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

function parseExposition(text: string): Sample[] {
  return text
    .split('\n')
    .filter((line) => line && !line.startsWith('#'))
    .map((line) => {
      const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
      assert.ok(match, `a valid sample line: ${line}`);
      const labels = Object.fromEntries(
        [...(match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]),
      );
      return { name: match[1]!, labels: labels as Record<string, string>, value: Number(match[3]) };
    });
}

/** The sum of the samples named `name` whose labels include `labels` (0 when there are none). */
function sampleValue(samples: Sample[], name: string, labels: Record<string, string> = {}): number {
  const found = samples.filter(
    (sample) => sample.name === name && Object.entries(labels).every(([key, value]) => sample.labels[key] === value),
  );
  return found.reduce((sum, sample) => sum + sample.value, 0);
}

async function scrape(server: MetricsServer): Promise<{ contentType: string; samples: Sample[]; text: string }> {
  const response = await fetch(`http://127.0.0.1:${server.port}/metrics`);
  assert.equal(response.status, 200);
  const text = await response.text();
  return { contentType: response.headers.get('content-type') ?? '', samples: parseExposition(text), text };
}

describe('/metrics after a real pipeline run', () => {
  let sim: Simulation;
  let model: ScriptedOpenAI;
  let h: Harness;
  let metrics: MetricsServer;
  before(async () => {
    sim = await startSimulation(TINY_CLUSTER);
    model = await startScriptedOpenAI([
      finalAnswer({
        rootCause: { kind: 'Pod', namespace: 'shop', name: 'checkout-0' },
        faultType: 'bad-image',
        confidence: 0.8,
        summary: 'The image of checkout-0 cannot be pulled.',
        evidence: [],
        ruledOut: [],
      }),
    ]);
    h = await startHarness({
      kubeConfig: sim.kubeConfig,
      agent: scriptedAgentConfig(model, { maxTurns: 3, timeLimitMs: 20_000 }),
    });
    metrics = await startMetricsServer(0, {
      postgres: () => h.database.db.$queryRaw`SELECT 1`,
      redis: () => h.queue.ping(),
    });
  });
  after(async () => {
    await metrics.close();
    await h.close();
    await model.close();
    await sim.close();
  });

  it('counts the alert, the investigation, its wait for a worker, its duration, requests and first hypothesis, the model calls and a refusal', async () => {
    const response = await h.postPagerDuty(pagerDutyEvent('incident.triggered', { id: 'PMETRICS' }));
    assert.equal(response.status, 202);
    const { incidentId } = (await response.json()) as { incidentId: string };
    await answeredThread(h, incidentId);
    const refused = await h.postPagerDuty(pagerDutyEvent('incident.triggered', { id: 'PBAD' }), ['not-a-secret']);
    assert.equal(refused.status, 401);

    const { contentType, samples } = await until('the investigation to be counted', async () => {
      const scraped = await scrape(metrics);
      return sampleValue(scraped.samples, 'incident_bot_investigations_total') > 0 && scraped;
    });
    assert.match(contentType, /^text\/plain; version=0\.0\.4/);
    assert.equal(sampleValue(samples, 'incident_bot_alerts_received_total', { source: 'pagerduty' }), 1);
    assert.equal(
      sampleValue(samples, 'incident_bot_alerts_refused_total', { source: 'pagerduty', reason: 'bad-signature' }),
      1,
    );
    assert.equal(sampleValue(samples, 'incident_bot_investigations_total', { outcome: 'root_cause' }), 1);
    assert.equal(
      sampleValue(samples, 'incident_bot_investigation_duration_seconds_count', { outcome: 'root_cause' }),
      1,
    );
    assert.ok(sampleValue(samples, 'incident_bot_investigation_duration_seconds_sum') > 0);
    assert.equal(sampleValue(samples, 'incident_bot_investigation_api_requests_count'), 1);
    assert.ok(sampleValue(samples, 'incident_bot_investigation_api_requests_sum') > 0, 'the engine read the cluster');
    assert.equal(sampleValue(samples, 'incident_bot_time_to_first_hypothesis_seconds_count'), 1);
    // The job's wait for a worker, once (its first attempt).
    assert.equal(sampleValue(samples, 'incident_bot_investigation_queue_wait_seconds_count'), 1);
    // Every request the model server received is one call; each answered one reports 100 + 20 tokens.
    assert.ok(model.requests.length > 0, 'the agent called the model');
    assert.equal(sampleValue(samples, 'incident_bot_model_calls_total'), model.requests.length);
    const answered = sampleValue(samples, 'incident_bot_model_calls_total', { outcome: 'ok' });
    assert.ok(answered > 0);
    assert.equal(sampleValue(samples, 'incident_bot_model_tokens_total', { kind: 'prompt' }), 100 * answered);
    assert.equal(sampleValue(samples, 'incident_bot_model_tokens_total', { kind: 'completion' }), 20 * answered);
    // The queue is read at scrape time: the job has completed, nothing waits.
    assert.equal(sampleValue(samples, 'incident_bot_queue_jobs', { queue: 'investigations', state: 'waiting' }), 0);
    assert.ok(samples.some((sample) => sample.name === 'incident_bot_queue_jobs' && sample.labels.state === 'active'));
    // Default process metrics.
    assert.ok(sampleValue(samples, 'process_cpu_user_seconds_total') > 0);
    assert.ok(samples.some((sample) => sample.name === 'nodejs_heap_size_used_bytes'));
  });

  it('serves /healthz and /readyz on the same port', async () => {
    assert.equal((await fetch(`http://127.0.0.1:${metrics.port}/healthz`)).status, 200);
    const ready = await fetch(`http://127.0.0.1:${metrics.port}/readyz`);
    assert.equal(ready.status, 200);
    assert.deepEqual(await ready.json(), { postgres: 'ok', redis: 'ok' });
  });
});

describe('/metrics after a plan is approved and executed', () => {
  it('counts the decision and the execution result', async () => {
    const stack = await startStack({ verifyTimeoutSeconds: 3 });
    const metrics = await startMetricsServer(0, {});
    try {
      const planId = await stack.propose({ type: 'rollout-undo', namespace: 'shop', name: 'api', toRevision: 1 });
      assert.equal(await stack.click(planId, 'UALICE', 'approve'), 200);
      assert.equal((await stack.settled(planId)).status, 'succeeded');
      const { samples } = await scrape(metrics);
      assert.equal(sampleValue(samples, 'incident_bot_plans_total', { decision: 'approved' }), 1);
      assert.equal(sampleValue(samples, 'incident_bot_executions_total', { result: 'succeeded' }), 1);
      assert.ok(
        samples.some((sample) => sample.name === 'incident_bot_queue_jobs' && sample.labels.queue === 'remediation'),
      );
    } finally {
      await metrics.close();
      await stack.close();
    }
  });
});
