import type { KubeApiServer } from '../../src/simulation/kube-api/server.ts';

/**
 * Whether the simulated API server saw `path`'s request closed by its client (listed 499); gives up after `ms` of
 * real time. Polls with setImmediate, not setTimeout: the tests that use it mock the clock.
 */
export async function closedByClient(server: KubeApiServer, path: string, ms = 5_000): Promise<boolean> {
  const deadline = performance.now() + ms;
  for (;;) {
    if (server.requests().some((request) => request.path === path && request.status === 499)) return true;
    if (performance.now() > deadline) return false;
    await new Promise((resolve) => setImmediate(resolve));
  }
}
