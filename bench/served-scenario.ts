import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Scenario } from '../src/simulation/scenario.ts';

const ROOT = join(import.meta.dirname, '..');

export interface ServedScenario {
  kubeApi: string;
  prometheus: string;
  kubeconfig: string;
  /** Requests the simulated API server has answered so far. */
  kubeRequests(): Promise<number>;
  close(): Promise<void>;
}

/** Serves a scenario with `simulate --frozen` in a process of its own, as a real API server would be: not in ours. */
export async function serveScenario(scenario: Scenario): Promise<ServedScenario> {
  const dir = await mkdtemp(join(tmpdir(), 'ib-bench-'));
  const file = join(dir, 'scenario.json');
  await writeFile(file, JSON.stringify(scenario));
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(ROOT, 'src/cli/main.ts'), 'simulate', '--scenario', file, '--frozen'],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const close = async () => {
    if (child.exitCode === null) {
      child.kill('SIGTERM');
      await once(child, 'exit');
    }
    await rm(dir, { recursive: true, force: true });
  };
  try {
    const ready = await firstLine(child);
    const served = JSON.parse(ready) as { kubeApi: string; prometheus: string; kubeconfig: string };
    return {
      ...served,
      kubeRequests: async () => ((await (await fetch(`${served.kubeApi}/_sim/requests`)).json()) as unknown[]).length,
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

function firstLine(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.once('line', resolve);
    child.once('exit', (code) => reject(new Error(`simulate exited with ${code} before it was ready`)));
  });
}

/** Milliseconds one `kubectl` command takes against the served cluster. */
export function kubectlMs(served: ServedScenario, args: string[]): Promise<number> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    execFile('kubectl', ['--kubeconfig', served.kubeconfig, ...args], { maxBuffer: 1 << 30 }, (error) =>
      error ? reject(error) : resolve(performance.now() - started),
    );
  });
}

export interface ChildInvestigation {
  rootCause: string;
  faultType: string | null;
  confidence: number;
  assumptions: string[];
  ms: number;
  rssMb: number;
  /** API requests: the Kubernetes API server's count and the Prometheus queries. */
  requests: number;
}

/** One investigation of `alert` in a child process (see investigate-child.ts), its requests counted by the server. */
export async function investigateInChild(
  served: ServedScenario,
  alert: Scenario['alert'],
  now: string,
): Promise<ChildInvestigation> {
  const before = await served.kubeRequests();
  const input = JSON.stringify({ kubeconfig: served.kubeconfig, prometheus: served.prometheus, alert, now });
  const output = await new Promise<string>((resolve, reject) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', join(ROOT, 'bench/investigate-child.ts'), input],
      { cwd: ROOT, maxBuffer: 1 << 26 },
      (error, stdout) => (error ? reject(error) : resolve(stdout)),
    );
  });
  const result = JSON.parse(output.trim().split('\n').at(-1) ?? '{}') as Omit<ChildInvestigation, 'requests'> & {
    prometheusQueries: number;
  };
  const { prometheusQueries, ...rest } = result;
  return { ...rest, requests: (await served.kubeRequests()) - before + prometheusQueries };
}
