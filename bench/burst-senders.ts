/**
 * The burst's senders (bench/burst.ts), in a process of their own (forked, input and result over IPC): the simulated
 * cluster and Slack that the worker role calls are served by the bench's process, and one list of the 5,000-pod
 * cluster serialised there holds its event loop for up to ~170 ms on a busy machine, during which a sender on the same
 * loop could neither connect, nor send, nor see an answer that had arrived: its stalls were counted as the web
 * role's. PagerDuty's senders share no event loop with our simulator; here they share only the cores. Waits for the
 * web role's /readyz first, as a load balancer would.
 */

export interface Delivery {
  body: string;
  signature: string;
}

export interface SendersInput {
  url: string;
  readyUrl: string;
  deliveries: Delivery[];
  concurrency: number;
}

export interface SendersOutput {
  /** When the first webhook was sent (performance.timeOrigin + now(), comparable across processes). */
  startedAt: number;
  webhookMs: number[];
  statuses: Record<number, number>;
  /** [index, sent at (ms after the first), answer ms, status] of each webhook. */
  timeline: number[][];
  /** CPU (ms) this process used while sending. */
  cpuMs: number;
}

async function untilReady(url: string): Promise<void> {
  for (;;) {
    const response = await fetch(url).catch(() => undefined);
    await response?.arrayBuffer();
    if (response?.status === 200) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function sendAll({ url, readyUrl, deliveries, concurrency }: SendersInput): Promise<SendersOutput> {
  await untilReady(readyUrl);
  process.send?.('ready');
  const webhookMs: number[] = [];
  const statuses: Record<number, number> = {};
  const timeline: number[][] = [];
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  let next = 0;
  const send = async (index: number): Promise<number> => {
    const { body, signature } = deliveries[index]!;
    const sent = performance.now();
    const response = await fetch(url, {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/json', 'x-pagerduty-signature': signature },
    });
    await response.arrayBuffer();
    webhookMs.push(performance.now() - sent);
    timeline.push([index, Math.round(sent - started), Math.round(performance.now() - sent), response.status]);
    statuses[response.status] = (statuses[response.status] ?? 0) + 1;
    return response.status;
  };
  const post = async () => {
    for (let index = next++; index < deliveries.length; index = next++) {
      // PagerDuty retries what it was not told 2xx; here at once, to see whether each is still answered once.
      for (let attempt = 0; attempt < 5 && (await send(index)) !== 202; attempt++);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, post));
  const { user, system } = process.cpuUsage(cpuBefore);
  return { startedAt: performance.timeOrigin + started, webhookMs, statuses, timeline, cpuMs: (user + system) / 1000 };
}

process.once('message', (input: SendersInput) => {
  void sendAll(input).then((output) => process.send?.(output, () => process.disconnect()));
});
