import { fileURLToPath } from 'node:url';
import { loadScenario } from '../simulation/scenario.ts';
import { type Command, parseOptions } from './args.ts';
import { entityLabel } from '../investigation/model.ts';
import { renderRoot } from './render-thread.ts';
import { isCorrect } from './scoring.ts';
import { writeLine } from './write-line.ts';

/** A bundled incident where the alerted service is only a victim of a failure further down its dependencies. */
export const DEMO_SCENARIO = fileURLToPath(new URL('../../scenarios/demo/boutique-redis-oom.json', import.meta.url));

const usage = `Usage: incident-bot demo [--scenario FILE]

Replays a bundled incident against a simulated Kubernetes cluster and Prometheus — no Postgres, Redis, Slack or API
key needed — and prints the incident thread as it would read in Slack: progress, the root cause with its evidence,
the ruled-out alternatives and the remediation plan waiting for approval.

  --scenario FILE   replay another scenario file instead of the bundled one
  -h, --help        show this help`;

export const demoCommand: Command = {
  usage,
  async run(argv) {
    const { values } = parseOptions(argv, { scenario: { type: 'string' } }, usage);
    if (values.help) {
      writeLine(usage);
      return 0;
    }
    const scenario = await loadScenario(values.scenario ?? DEMO_SCENARIO);
    // The engine and the plan's Kubernetes client are loaded once there is something to replay (not for --help).
    const [{ replayScenario, scenarioAlert }, { printConclusion, progressPrinter }] = await Promise.all([
      import('./replay.ts'),
      import('./thread-output.ts'),
    ]);
    writeLine(`incident-bot demo — replaying "${scenario.title}" at ${scenario.now}`);
    writeLine('The investigation sees only the alert and the (simulated) Kubernetes and Prometheus APIs.\n');
    writeLine(renderRoot(scenarioAlert(scenario)));
    const now = new Date(scenario.now);
    const { result, requests, ms } = await replayScenario(scenario, {
      onProgress: progressPrinter(writeLine),
      afterInvestigation: (answer, kubeConfig) => printConclusion(writeLine, answer, kubeConfig, now),
    });
    const expected = scenario.groundTruth.rootCause;
    writeLine('');
    writeLine(`(${requests} API requests, ${ms} ms)`);
    writeLine(
      `Ground truth (from the scenario file, never shown to the investigation): ${expected.map(entityLabel).join(' | ')} — ${
        isCorrect(result.rootCause, expected) ? 'matched' : 'not matched'
      }`,
    );
    return 0;
  },
};
