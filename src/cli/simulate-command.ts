import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { kubeconfigYaml } from '../simulation/kubeconfig.ts';
import { loadScenario } from '../simulation/scenario.ts';
import { startSimulation } from '../simulation/simulation.ts';
import { type Command, parseOptions, port, UsageError } from './args.ts';
import { writeLine } from './thread-output.ts';

const usage = `Usage: incident-bot simulate --scenario FILE [--port N] [--kubeconfig-out PATH]

Serves a scenario's cluster as a Kubernetes API server and its metrics as a Prometheus HTTP API on loopback until
SIGTERM or SIGINT, so that the bot itself (npm start with KUBECONFIG and PROMETHEUS_URL) can be pointed at a
simulated incident. When ready it prints one JSON line: {"kubeApi": URL, "prometheus": URL, "kubeconfig": PATH}.

  --scenario FILE         the scenario to serve
  --port N                port of the Kubernetes API server (default: any free port)
  --kubeconfig-out PATH   where to write the kubeconfig (default: a temporary file, removed on exit)
  -h, --help              show this help`;

export const simulateCommand: Command = {
  usage,
  async run(argv) {
    const { values } = parseOptions(
      argv,
      { scenario: { type: 'string' }, port: { type: 'string' }, 'kubeconfig-out': { type: 'string' } },
      usage,
    );
    if (values.help) {
      writeLine(usage);
      return 0;
    }
    if (values.scenario === undefined) throw new UsageError('--scenario FILE is required', usage);
    const kubePort = port(values.port, usage);
    const scenario = await loadScenario(values.scenario);
    const stopped = new Promise<void>((resolve) => {
      process.once('SIGTERM', () => resolve());
      process.once('SIGINT', () => resolve());
    });
    const simulation = await startSimulation(scenario, { port: kubePort });
    const tempDir = values['kubeconfig-out'] ? null : await mkdtemp(join(tmpdir(), 'incident-bot-'));
    const kubeconfig = values['kubeconfig-out'] ?? join(tempDir!, 'kubeconfig.yaml');
    try {
      await writeFile(kubeconfig, kubeconfigYaml(simulation.kubeApiUrl), { mode: 0o600 });
      writeLine(JSON.stringify({ kubeApi: simulation.kubeApiUrl, prometheus: simulation.prometheusUrl, kubeconfig }));
      await stopped;
    } finally {
      await simulation.close();
      if (tempDir) await rm(tempDir, { recursive: true, force: true });
    }
    return 0;
  },
};
