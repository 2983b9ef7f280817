import { DEMO_SCENARIO } from '../cli/demo-command.ts';
import { replayScenario } from '../cli/replay.ts';
import { loadScenario } from '../simulation/scenario.ts';

/**
 * Replays the demo incident (scenarios/demo, shipped with the image) with the production investigate(), against the
 * simulated API server and Prometheus started in this process for the replay, before the worker takes its first job.
 * A fresh process's first investigations pay for V8 compiling the engine — its tools, the client's reads, every
 * detector and the ranking: about 450 ms of CPU for the first one on the bench's cluster against about 110 for the
 * next ones, 195 after this replay — and after a deploy they run alongside the burst of webhooks that brought them,
 * on the same cores. Nothing leaves the process: the simulated servers listen on loopback for the replay only, and
 * its audit trail is in memory, dropped with its answer.
 */
export async function warmUpEngine(): Promise<void> {
  await replayScenario(await loadScenario(DEMO_SCENARIO));
}
