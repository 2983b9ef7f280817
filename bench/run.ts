/**
 * npm run bench: one investigation on a 5,000-pod, 200-namespace cluster served by the simulated API server (in this
 * process, so the RSS includes the simulator's copy of the cluster), then the scale cases (scale-cases.ts: a hot
 * namespace of 10,000 pods, 50,000 pods over 1,000 namespaces). Prints wall time, peak RSS and API requests against
 * the targets. `npm run bench -- burst hot` runs only the cases named (cluster, latency, burst, storm, hot, huge).
 */
import { MemoryAuditLog } from '../src/audit/audit-log.ts';
import { investigate } from '../src/investigation/engine.ts';
import { refKey } from '../src/investigation/model.ts';
import { parseScenario } from '../src/simulation/scenario.ts';
import { startSimulation } from '../src/simulation/simulation.ts';
import { FAULTY_NAMESPACE, largeScenario } from './large-cluster.ts';
import { alertStormCase } from './alert-storm.ts';
import { burstCase } from './burst.ts';
import { hotNamespaceCase, hugeClusterCase } from './scale-cases.ts';
import { webhookLatency } from './webhook-latency.ts';

const TARGETS = { seconds: 10, rssMb: 512, requests: 25, firstReplyMs: 2000 };
const CASES = ['cluster', 'latency', 'burst', 'storm', 'hot', 'huge'] as const;
const named = process.argv.slice(2);
const unknown = named.filter((name) => !(CASES as readonly string[]).includes(name));
if (unknown.length > 0) {
  console.error(`unknown bench case ${unknown.join(', ')}: choose among ${CASES.join(', ')}`);
  process.exit(2);
}
const runs = (name: (typeof CASES)[number]) => named.length === 0 || named.includes(name);

const scenario = parseScenario(largeScenario(), 'bench-large-cluster');
const pods = scenario.cluster.objects.filter((object) => object.kind === 'Pod').length;
const namespaces = scenario.cluster.objects.filter((object) => object.kind === 'Namespace').length;
const simulation = await startSimulation(scenario);

async function run(label: string, alert: typeof scenario.alert): Promise<void> {
  const before = simulation.requests().length;
  const started = performance.now();
  let firstHypothesisMs: number | undefined;
  const result = await investigate(alert, {
    kubeConfig: simulation.kubeConfig,
    prometheusUrl: simulation.prometheusUrl,
    audit: new MemoryAuditLog(),
    now: new Date(scenario.now),
    onProgress: (progress) => {
      if (progress.type === 'hypothesis' && firstHypothesisMs === undefined)
        firstHypothesisMs = performance.now() - started;
    },
  });
  const seconds = (performance.now() - started) / 1000;
  const rssMb = process.resourceUsage().maxRSS / 1024;
  const requests = simulation.requests().length - before;
  const expected = scenario.groundTruth.rootCause.map(refKey);
  const answer = result.rootCause ? refKey(result.rootCause) : 'none';
  const line = (name: string, value: string, ok: boolean) => `  ${ok ? 'ok  ' : 'MISS'} ${name.padEnd(18)} ${value}`;
  console.log(`${label}: "${alert.title}"${alert.labels.namespace ? '' : ' (no labels)'}`);
  console.log(line('wall time', `${seconds.toFixed(2)} s (target ≤ ${TARGETS.seconds} s)`, seconds <= TARGETS.seconds));
  console.log(line('peak RSS', `${rssMb.toFixed(0)} MB (target ≤ ${TARGETS.rssMb} MB)`, rssMb <= TARGETS.rssMb));
  console.log(line('API requests', `${requests} (target ≤ ${TARGETS.requests})`, requests <= TARGETS.requests));
  const first = firstHypothesisMs === undefined ? 'none' : `${(firstHypothesisMs / 1000).toFixed(2)} s after start`;
  console.log(line('first hypothesis', first, firstHypothesisMs !== undefined));
  console.log(line('root cause', `${answer} (expected ${expected.join(' or ')})`, expected.includes(answer)));
}

console.log(`cluster: ${pods} pods in ${namespaces} namespaces (simulated API server in this process)`);
try {
  if (runs('cluster')) {
    await run('labelled alert', scenario.alert);
    await run('alert naming only a workload', {
      source: 'slack',
      title: 'web returns errors',
      text: 'web pages fail for every customer',
      labels: {},
      annotations: {},
    });
  }
  const title = `HighRequestErrorRate web in ${FAULTY_NAMESPACE}`;
  try {
    if (runs('latency')) await latencyCase(title);
    if (runs('burst')) await burstCase(simulation, namespaces);
    if (runs('storm')) await alertStormCase();
  } catch (error) {
    console.log(
      `webhook → Slack: not measured (${error instanceof Error ? error.message : error}; needs Postgres and Redis)`,
    );
  }
} finally {
  await simulation.close();
}
if (runs('hot')) await hotNamespaceCase();
if (runs('huge')) await hugeClusterCase();

async function latencyCase(title: string): Promise<void> {
  const latency = await webhookLatency(simulation, title);
  const seconds = (ms: number | undefined) => (ms === undefined ? 'never shown' : `${(ms / 1000).toFixed(2)} s`);
  const line = (name: string, ms: number | undefined) =>
    `  ${ms !== undefined && ms <= TARGETS.firstReplyMs ? 'ok  ' : 'MISS'} ${name.padEnd(18)} ${seconds(ms)} (target ≤ ${TARGETS.firstReplyMs / 1000} s)`;
  console.log(`webhook → Slack thread, through the web server, queue and worker: "${title}"`);
  console.log(line('first progress', latency.firstProgressMs));
  console.log(line('first hypothesis', latency.firstHypothesisMs));
  console.log(`       ${'final answer'.padEnd(18)} ${seconds(latency.answerMs)}`);
}
