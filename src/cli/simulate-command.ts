import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadScenario } from '../simulation/scenario.ts';
import { secondsUntil, shiftScenario } from '../simulation/time-shift.ts';
import { type Command, parseOptions, port, UsageError } from './args.ts';
import { alertmanagerWebhook } from './test-alert.ts';
import { writeLine } from './write-line.ts';

const usage = `Usage: incident-bot simulate --scenario FILE [--frozen] [--port N] [--kubeconfig-out PATH] [--alert-out PATH]

Serves a scenario's cluster as a Kubernetes API server and its metrics as a Prometheus HTTP API on loopback until
SIGTERM or SIGINT, so that the bot itself (npm start with KUBECONFIG and PROMETHEUS_URL) can be pointed at a
simulated incident. The incident happens now: every time in the scenario (its clock, the alert, the objects, the
logs, the metric samples) is moved by one offset so that its "now" is the moment simulate starts, and the bot,
reasoning at the wall clock, sees it as \`investigate\` does. When ready it prints one JSON line:
{"kubeApi": URL, "prometheus": URL, "kubeconfig": PATH, "alert": PATH, "now": TIME, "shiftedSeconds": N}.

  --scenario FILE         the scenario to serve
  --frozen                keep the scenario's own clock (no shift)
  --port N                port of the Kubernetes API server (default: any free port)
  --kubeconfig-out PATH   where to write the kubeconfig (default: a temporary file, removed on exit)
  --alert-out PATH        where to write the scenario's alert as an Alertmanager webhook body, to POST to the bot's
                          /webhooks/alertmanager (default: a temporary file, removed on exit)
  -h, --help              show this help`;

export const simulateCommand: Command = {
  usage,
  async run(argv) {
    const { values } = parseOptions(
      argv,
      {
        scenario: { type: 'string' },
        frozen: { type: 'boolean' },
        port: { type: 'string' },
        'kubeconfig-out': { type: 'string' },
        'alert-out': { type: 'string' },
      },
      usage,
    );
    if (values.help) {
      writeLine(usage);
      return 0;
    }
    if (values.scenario === undefined) throw new UsageError('--scenario FILE is required', usage);
    const kubePort = port(values.port, usage);
    // The simulators (and the Kubernetes client's kubeconfig) are loaded once the arguments hold, not for --help.
    const [{ kubeconfigYaml }, { startSimulation }, { scenarioAlert }] = await Promise.all([
      import('../simulation/kubeconfig.ts'),
      import('../simulation/simulation.ts'),
      import('./replay.ts'),
    ]);
    const original = await loadScenario(values.scenario);
    const shiftedSeconds = values.frozen ? 0 : secondsUntil(original, new Date());
    const scenario = shiftScenario(original, shiftedSeconds);
    const stopped = new Promise<void>((resolve) => {
      process.once('SIGTERM', () => resolve());
      process.once('SIGINT', () => resolve());
    });
    const simulation = await startSimulation(scenario, { port: kubePort });
    const tempDir =
      values['kubeconfig-out'] && values['alert-out'] ? null : await mkdtemp(join(tmpdir(), 'incident-bot-'));
    const kubeconfig = values['kubeconfig-out'] ?? join(tempDir!, 'kubeconfig.yaml');
    const alert = values['alert-out'] ?? join(tempDir!, 'alert.json');
    try {
      await writeFile(kubeconfig, kubeconfigYaml(simulation.kubeApiUrl), { mode: 0o600 });
      const webhook = alertmanagerWebhook(scenarioAlert(scenario), `${scenario.id}@${scenario.now}`);
      await writeFile(alert, `${JSON.stringify(webhook, null, 2)}\n`);
      writeLine(
        JSON.stringify({
          kubeApi: simulation.kubeApiUrl,
          prometheus: simulation.prometheusUrl,
          kubeconfig,
          alert,
          now: scenario.now,
          shiftedSeconds,
        }),
      );
      await stopped;
    } finally {
      await simulation.close();
      if (tempDir) await rm(tempDir, { recursive: true, force: true });
    }
    return 0;
  },
};
