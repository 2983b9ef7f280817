import assert from 'node:assert/strict';
import { mock } from 'node:test';
import { type KubeApiServer, startKubeApiServer } from '../../src/simulation/kube-api/server.ts';
import { parseScenario } from '../../src/simulation/scenario.ts';
import { NOW, TOOL_SCENARIO } from '../investigation/tool-scenario.ts';

/**
 * A simulated API server over the tool scenario that answers normally, except while `timedOut` runs: then it takes
 * the request and never answers (overloaded, or a stuck aggregated API behind it).
 */
export interface StuckApiServer {
  server: KubeApiServer;
  /**
   * Runs `call` until the server holds its request, then lets the 15 s request timeout pass on a mocked clock: the
   * call must fail saying what had no answer, and its request must be cancelled, the connection closed, rather than
   * left open (a socket per timed-out call, for as long as the server takes) once the call has given up.
   */
  timedOut(call: () => Promise<unknown>, path: string, message: RegExp): Promise<void>;
}

export async function startStuckApiServer(): Promise<StuckApiServer> {
  let arrived: (() => void) | undefined;
  const server = await startKubeApiServer({
    objects: parseScenario(TOOL_SCENARIO, 'tool-scenario').cluster.objects,
    now: new Date(NOW),
    hold: () => {
      if (!arrived) return Promise.resolve();
      arrived();
      return new Promise<void>(() => undefined);
    },
  });
  async function timedOut(call: () => Promise<unknown>, path: string, message: RegExp): Promise<void> {
    mock.timers.enable({ apis: ['setTimeout'] });
    const held = new Promise<void>((resolve) => {
      arrived = resolve;
    });
    const outcome = call().then(
      () => null,
      (error: Error) => error,
    );
    await held;
    mock.timers.tick(15_000);
    const error = await outcome;
    mock.timers.reset();
    arrived = undefined;
    assert.match(error?.message ?? 'answered', message);
    assert.equal(await closedByClient(server, path), true, `the request to ${path} was left open after its timeout`);
  }
  return { server, timedOut };
}

/** Whether the server saw `path`'s request closed by its client (listed 499); gives up after `ms` of real time. */
async function closedByClient(server: KubeApiServer, path: string, ms = 5_000): Promise<boolean> {
  const deadline = performance.now() + ms;
  for (;;) {
    if (server.requests().some((request) => request.path === path && request.status === 499)) return true;
    if (performance.now() > deadline) return false;
    // setImmediate, not setTimeout: the clock is mocked.
    await new Promise((resolve) => setImmediate(resolve));
  }
}
