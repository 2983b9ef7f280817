import type { AgentOutcome } from '../agent/agent-loop.ts';
import type { AgentConfig } from '../agent/config.ts';
import type { Alert } from '../alert/alert.ts';
import type { InvestigationResult } from '../investigation/model.ts';
import { loadScenario } from '../simulation/scenario.ts';
import { AGENT_USAGE, agentOption, agentSummary } from './agent-option.ts';
import { type Command, parseOptions, UsageError } from './args.ts';
import { renderRoot } from './render-thread.ts';
import { maskedLines, writeLine } from './write-line.ts';

const usage = `Usage:
  incident-bot investigate --scenario FILE [--json] [--agent]
  incident-bot investigate [--kubeconfig PATH] [--prometheus URL] (--alert "TEXT" | --namespace NS) [--json] [--agent]

Runs one investigation and prints the incident thread as Slack would show it, progress first, then the root cause,
evidence, ruled-out alternatives and the remediation plan.

  --scenario FILE     replay a scenario file (.json/.yaml/.yml) against the simulated Kubernetes and Prometheus APIs
  --kubeconfig PATH   investigate a real cluster (default: $KUBECONFIG, ~/.kube/config or in-cluster credentials)
  --prometheus URL    Prometheus of the real cluster (default: $PROMETHEUS_URL)
  --alert TEXT        the symptom, as someone would type it after /diagnose
  --namespace NS      the namespace to investigate
  --json              print one JSON object {rootCause, faultType, confidence, hypotheses, requests, ms}; with
                      --agent, rootCause is the agent's answer and {engine, agent} are added beside it
${AGENT_USAGE}
  -h, --help          show this help`;

export const investigateCommand: Command = {
  usage,
  async run(argv) {
    const { values } = parseOptions(
      argv,
      {
        scenario: { type: 'string' },
        kubeconfig: { type: 'string' },
        prometheus: { type: 'string' },
        alert: { type: 'string' },
        namespace: { type: 'string' },
        json: { type: 'boolean' },
        agent: { type: 'boolean' },
      },
      usage,
    );
    if (values.help) {
      writeLine(usage);
      return 0;
    }
    const json = values.json === true;
    const agent = agentOption(values.agent, usage);
    if (values.scenario !== undefined) {
      const liveOnly = (['kubeconfig', 'prometheus', 'alert', 'namespace'] as const).filter(
        (name) => values[name] !== undefined,
      );
      if (liveOnly.length > 0)
        throw new UsageError(`--scenario cannot be combined with --${liveOnly.join(', --')}`, usage);
      return investigateScenario(values.scenario, json, agent);
    }
    if (values.alert === undefined && values.namespace === undefined) {
      throw new UsageError('give --scenario FILE, or --alert "TEXT" and/or --namespace NS for a real cluster', usage);
    }
    return investigateCluster(
      {
        kubeconfig: values.kubeconfig,
        prometheus: values.prometheus ?? process.env.PROMETHEUS_URL,
        alert: values.alert,
        namespace: values.namespace,
      },
      json,
      agent,
    );
  },
};

/**
 * `investigate --scenario FILE [--json]`: the thread (or the summary) written to `out` — stdout, or what a test
 * reads — through the same masking as every line the CLI prints.
 */
export async function investigateScenario(
  path: string,
  json: boolean,
  agent: AgentConfig | undefined,
  out: (text: string) => void = (text) => process.stdout.write(text),
): Promise<number> {
  const write = maskedLines(out);
  const scenario = await loadScenario(path);
  // The engine is loaded once the arguments hold: --help and usage errors start without it.
  const [{ replayScenario, scenarioAlert }, { printConclusion, progressPrinter }] = await Promise.all([
    import('./replay.ts'),
    import('./thread-output.ts'),
  ]);
  if (json) {
    const replay = await replayScenario(scenario, { agent });
    write(JSON.stringify(summary(replay.result, replay.requests, replay.ms, replay)));
    return 0;
  }
  write(renderRoot(scenarioAlert(scenario)));
  const now = new Date(scenario.now);
  const { requests, ms } = await replayScenario(scenario, {
    agent,
    onProgress: progressPrinter(write),
    afterInvestigation: (result, kubeConfig) => printConclusion(write, result, kubeConfig, now),
  });
  write(`\n(${requests} API requests, ${ms} ms)`);
  return 0;
}

interface LiveOptions {
  kubeconfig: string | undefined;
  prometheus: string | undefined;
  alert: string | undefined;
  namespace: string | undefined;
}

async function investigateCluster(
  options: LiveOptions,
  json: boolean,
  agent: AgentConfig | undefined,
): Promise<number> {
  // Loaded once the arguments hold (see investigateScenario).
  const [
    { KubeConfig },
    { investigateWithAgent },
    { MemoryAuditLog },
    { investigate },
    { printConclusion, progressPrinter },
  ] = await Promise.all([
    import('@kubernetes/client-node'),
    import('../agent/investigate-with-agent.ts'),
    import('../audit/audit-log.ts'),
    import('../investigation/engine.ts'),
    import('./thread-output.ts'),
  ]);
  const kubeConfig = new KubeConfig();
  if (options.kubeconfig) kubeConfig.loadFromFile(options.kubeconfig);
  else kubeConfig.loadFromDefault();
  const alert: Alert = {
    source: 'slack',
    title: options.alert ?? `Investigate namespace ${options.namespace}`,
    ...(options.alert ? { text: options.alert } : {}),
    labels: options.namespace ? { namespace: options.namespace } : {},
    annotations: {},
  };
  if (!json) writeLine(renderRoot(alert));
  const now = new Date();
  const started = performance.now();
  const ctx = {
    kubeConfig,
    prometheusUrl: options.prometheus,
    audit: new MemoryAuditLog(),
    now,
    onProgress: json ? undefined : progressPrinter(writeLine),
  };
  const { result, ...agentMode } = agent
    ? await investigateWithAgent(alert, ctx, agent)
    : { result: await investigate(alert, ctx) };
  const ms = Math.round(performance.now() - started);
  if (json) writeLine(JSON.stringify(summary(result, null, ms, agentMode)));
  else await printConclusion(writeLine, result, kubeConfig, now);
  return 0;
}

function summary(
  result: InvestigationResult,
  requests: number | null,
  ms: number,
  agentMode: { engine?: InvestigationResult; agent?: AgentOutcome },
) {
  return {
    rootCause: result.rootCause,
    faultType: result.faultType,
    confidence: result.confidence,
    hypotheses: result.hypotheses,
    requests,
    ms,
    ...(agentMode.engine && agentMode.agent ? agentSummary(agentMode.engine, agentMode.agent) : {}),
  };
}
