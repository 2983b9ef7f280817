/**
 * The scale cases of `npm run bench`, each against a cluster served by `simulate` in a process of its own and
 * investigated in another, so that the peak RSS printed is the investigator's: a hot namespace (a dev-set incident in
 * a shared namespace of 10,000 pods and ~12,000 events, timed against `kubectl get pods -o json` on the same server)
 * and a cluster of 50,000 pods over 1,000 namespaces.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { refKey } from '../src/investigation/model.ts';
import { parseScenario, type Scenario } from '../src/simulation/scenario.ts';
import { hotNamespace } from './hot-namespace.ts';
import { largeScenario } from './large-cluster.ts';
import { type ChildInvestigation, investigateInChild, kubectlMs, serveScenario } from './served-scenario.ts';

const BASE = join(import.meta.dirname, '../../shared/scenarios/boutique-redis-oom.json');
// 2,000 healthy 5-replica Deployments + the incident's own pods: about 10,000 pods.
const HOT_DEPLOYMENTS = 2_000;

export const line = (name: string, value: string, ok: boolean) =>
  `  ${ok ? 'ok  ' : 'MISS'} ${name.padEnd(18)} ${value}`;

function printAnswer(result: ChildInvestigation, scenario: Scenario): boolean {
  const expected = scenario.groundTruth.rootCause.map(refKey);
  const right = expected.includes(result.rootCause);
  const typed = result.faultType === scenario.groundTruth.faultType;
  console.log(line('root cause', `${result.rootCause} (expected ${expected.join(' or ')})`, right));
  console.log(line('fault type', `${result.faultType} (expected ${scenario.groundTruth.faultType})`, typed));
  console.log(`       ${'confidence'.padEnd(18)} ${Math.round(result.confidence * 100)}%`);
  for (const assumption of result.assumptions.filter((a) => a.startsWith('not read'))) {
    console.log(`       ${''.padEnd(18)} ${assumption}`);
  }
  return right && typed;
}

export async function hotNamespaceCase(): Promise<void> {
  if (!existsSync(BASE)) {
    console.log(`hot namespace: not measured (${BASE} not found)`);
    return;
  }
  const base = parseScenario(JSON.parse(readFileSync(BASE, 'utf8')), BASE);
  const scenario = hotNamespace(base, HOT_DEPLOYMENTS);
  const namespace = scenario.alert.labels.namespace as string;
  const count = (kind: string) => scenario.cluster.objects.filter((object) => object.kind === kind).length;
  console.log(
    `hot namespace: ${base.id} in ${namespace} with ${count('Pod')} pods, ${count('Event')} events, ${count('Service')} Services`,
  );
  const served = await serveScenario(scenario);
  try {
    // The first read fills the server's caches; the second is the floor: one full read of the namespace's pods.
    await kubectlMs(served, ['get', 'pods', '-n', namespace, '-o', 'json']);
    const floor = await kubectlMs(served, ['get', 'pods', '-n', namespace, '-o', 'json']);
    const result = await investigateInChild(served, scenario.alert, scenario.now);
    printAnswer(result, scenario);
    console.log(line('API requests', `${result.requests} (target ≤ 40)`, result.requests <= 40));
    console.log(line('peak RSS', `${result.rssMb.toFixed(0)} MB (target ≤ 512 MB)`, result.rssMb <= 512));
    console.log(
      line(
        'wall time',
        `${(result.ms / 1000).toFixed(2)} s (target ≤ 2 × kubectl get pods -o json = ${((2 * floor) / 1000).toFixed(2)} s)`,
        result.ms <= 2 * floor,
      ),
    );
  } finally {
    await served.close();
  }
}

export async function hugeClusterCase(): Promise<void> {
  const scenario = parseScenario(largeScenario(1_000, 10), 'bench-huge-cluster');
  const pods = scenario.cluster.objects.filter((object) => object.kind === 'Pod').length;
  console.log(`huge cluster: ${pods} pods in 1000 namespaces`);
  const served = await serveScenario(scenario);
  try {
    const result = await investigateInChild(served, scenario.alert, scenario.now);
    printAnswer(result, scenario);
    console.log(`       ${'API requests'.padEnd(18)} ${result.requests}`);
    console.log(line('peak RSS', `${result.rssMb.toFixed(0)} MB (target ≤ 1024 MB)`, result.rssMb <= 1024));
    console.log(line('wall time', `${(result.ms / 1000).toFixed(2)} s (target ≤ 10 s)`, result.ms <= 10_000));
  } finally {
    await served.close();
  }
}
