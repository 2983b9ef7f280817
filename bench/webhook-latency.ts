import type { Simulation } from '../src/simulation/simulation.ts';
import type { SlackCall } from '../test/support/fake-slack.ts';
import { isAnswer, pagerDutyEvent, startHarness } from '../test/web/harness.ts';

export interface WebhookLatency {
  /** First engine progress (a step or a hypothesis) shown in the thread. */
  firstProgressMs: number;
  /** First hypothesis shown in the thread, if the worker showed one before the answer replaced it. */
  firstHypothesisMs?: number;
  answerMs: number;
}

const threadText = (call: SlackCall): string =>
  call.method === 'chat.postMessage' || call.method === 'chat.update' ? String(call.args.text ?? '') : '';

/**
 * Times from a signed PagerDuty webhook to what the incident's thread in the fake Slack shows, through the real web
 * server, BullMQ queue and worker. Needs Postgres and Redis.
 */
export async function webhookLatency(simulation: Simulation, title: string): Promise<WebhookLatency> {
  const harness = await startHarness({ kubeConfig: simulation.kubeConfig });
  try {
    const started = performance.now();
    const seen: Partial<WebhookLatency> = {};
    const response = await harness.postPagerDuty(pagerDutyEvent('incident.triggered', { id: 'PBENCH', title }));
    if (response.status !== 202) throw new Error(`webhook answered ${response.status}`);
    await harness.slack.waitFor((slack) => {
      const elapsed = performance.now() - started;
      const texts = slack.calls.map(threadText);
      if (seen.firstProgressMs === undefined && texts.some((text) => /Reading|Hypothesis/.test(text))) {
        seen.firstProgressMs = elapsed;
      }
      if (seen.firstHypothesisMs === undefined && texts.some((text) => /Hypothesis/.test(text))) {
        seen.firstHypothesisMs = elapsed;
      }
      if (slack.calls.some(isAnswer)) seen.answerMs = elapsed;
      return seen.answerMs !== undefined;
    }, 30_000);
    return {
      firstProgressMs: seen.firstProgressMs ?? (seen.answerMs as number),
      ...(seen.firstHypothesisMs !== undefined ? { firstHypothesisMs: seen.firstHypothesisMs } : {}),
      answerMs: seen.answerMs as number,
    };
  } finally {
    await harness.close();
  }
}
