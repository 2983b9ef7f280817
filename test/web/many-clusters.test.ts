import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { parseClustersFile } from '../../src/config/clusters.ts';
import { parseScenario } from '../../src/simulation/scenario.ts';
import { type Simulation, startSimulation } from '../../src/simulation/simulation.ts';
import { until } from '../support/until.ts';
import { answeredThread, type Harness, isAnswer, startHarness } from './harness.ts';
import { TINY_CLUSTER } from './tiny-cluster.ts';

// Cluster b: the same namespace, its pod under another name — an answer naming it was read from b.
const CLUSTER_B = parseScenario(
  JSON.parse(JSON.stringify(TINY_CLUSTER).replaceAll('checkout-0', 'checkout-b7')),
  'test/web/many-clusters.test.ts',
);

let simA: Simulation;
let simB: Simulation;
let h: Harness;
before(async () => {
  simA = await startSimulation(TINY_CLUSTER);
  simB = await startSimulation(CLUSTER_B);
  h = await startHarness({
    kubeConfig: simA.kubeConfig,
    clusters: {
      names: ['prod-a', 'prod-b'],
      fallback: 'prod-a',
      access: new Map([
        ['prod-a', { kubeConfig: simA.kubeConfig }],
        ['prod-b', { kubeConfig: simB.kubeConfig }],
      ]),
    },
  });
});
after(async () => {
  await h.close();
  await simA.close();
  await simB.close();
});

const alert = (name: string, labels: Record<string, string>) =>
  JSON.stringify({
    version: '4',
    groupKey: `{}:{alertname="${name}"}`,
    status: 'firing',
    groupLabels: { alertname: name },
    commonLabels: { alertname: name, ...labels },
    commonAnnotations: { summary: `${name} in ${labels.cluster ?? 'the default cluster'}` },
    alerts: [{ status: 'firing', labels: { alertname: name, ...labels }, annotations: {} }],
  });
const send = (body: string) => h.post('/webhooks/alertmanager', body, { authorization: 'Bearer am-token' });

test('an alert for cluster b is investigated in b only, and the thread and audit say so', async () => {
  const readsOfA = simA.requests().length;
  const response = await send(alert('CheckoutDown', { cluster: 'prod-b', namespace: 'shop' }));
  assert.equal(response.status, 202);
  const { incidentId, cluster } = (await response.json()) as { incidentId: string; cluster: string };
  assert.equal(cluster, 'prod-b');
  const threadTs = await answeredThread(h, incidentId);
  const answer = h.slack.replies(threadTs).find(isAnswer);
  assert.match(JSON.stringify(answer?.args.blocks), /Pod shop\/checkout-b7/);
  assert.equal(simA.requests().length, readsOfA, 'cluster a was not read');
  assert.ok(simB.requests().length > 0);
  const root = h.slack.storedMessages().find((message) => message.ts === threadTs);
  assert.match(JSON.stringify(root?.blocks), /\*Cluster:\* `prod-b`/);
  const opened = await h.database.db.auditEvent.findFirstOrThrow({ where: { incidentId, action: 'incident.opened' } });
  assert.equal((opened.details as { cluster?: string }).cluster, 'prod-b');
});

test('no cluster label: the configured default; the same namespace in two clusters is two incidents', async () => {
  const inA = (await (await send(alert('ShopSlow', { namespace: 'shop' }))).json()) as { incidentId: string };
  const inB = (await (await send(alert('ShopSlowB', { namespace: 'shop', cluster: 'prod-b' }))).json()) as {
    incidentId: string;
  };
  const incidentA = await h.database.db.incident.findUniqueOrThrow({ where: { id: inA.incidentId } });
  assert.equal(incidentA.cluster, 'prod-a');
  // prod-b's shop already has an open incident (the test above): the alert joined it, not a's.
  assert.notEqual(inA.incidentId, inB.incidentId);
  assert.equal((await h.database.db.incident.findUniqueOrThrow({ where: { id: inB.incidentId } })).cluster, 'prod-b');
});

test('an unknown cluster is refused with the configured ones named, and nothing is stored', async () => {
  const before = await h.database.db.incident.count();
  const response = await send(alert('Elsewhere', { cluster: 'prod-z', namespace: 'shop' }));
  assert.equal(response.status, 422);
  assert.match(
    ((await response.json()) as { error: string }).error,
    /unknown cluster "prod-z": this bot serves prod-a, prod-b/,
  );
  assert.equal(await h.database.db.incident.count(), before);
  assert.equal(await h.refusalCount('alertmanager'), 1);

  const command = {
    token: 'legacy',
    team_id: 'T0001',
    channel_id: 'CDIAG',
    user_id: 'UALICE',
    command: '/diagnose',
    text: 'checkout is failing cluster=prod-z',
    response_url: h.slack.responseUrl('zz'),
    trigger_id: '13345224609.1.8088930838d88f008e0',
  };
  assert.equal(await h.slackDoor.command(command), 200);
  const refusal = await until('the ephemeral refusal', () => h.slack.responses.find((r) => r.id === 'zz'));
  assert.match(String(refusal.body.text), /unknown cluster "prod-z"/);
  assert.equal(await h.database.db.incident.count(), before);
});

test('CLUSTERS_FILE: a clear error for each mistake', () => {
  const problems = (text: string) => {
    try {
      parseClustersFile(text, 'clusters.yaml');
      return '';
    } catch (error) {
      return (error as Error).message;
    }
  };
  const valid = parseClustersFile(
    'default: prod-a\nclusters:\n  - name: prod-a\n    kubeconfig: /a.yaml\n    context: reader\n  - name: prod-b\n    kubeconfig: /b.yaml\n    prometheusUrl: http://prom-b:9090\n',
    'clusters.yaml',
  );
  assert.deepEqual(
    valid.clusters.map((cluster) => cluster.name),
    ['prod-a', 'prod-b'],
  );
  assert.match(problems('clusters: []'), /must name at least one cluster/);
  assert.match(
    problems('clusters:\n  - name: a\n    kubeconfig: /a\n  - name: a\n    kubeconfig: /b'),
    /"a" is named twice/,
  );
  assert.match(problems('default: c\nclusters:\n  - name: a'), /"c" is not one of a/);
  assert.match(
    problems('clusters:\n  - name: a\n    prometheusUrl: nope'),
    /must be a URL\n {2}→ at clusters\[0\].prometheusUrl/,
  );
  assert.match(problems('clusters:\n  - name: Prod_A'), /lower-case letters/);
  assert.match(problems('clusters:\n  - name: a\n  - name: b'), /a and b both leave kubeconfig unset/);
  assert.match(problems('clusters:\n  - name: a\n    kubconfig: /typo'), /kubconfig/);
  assert.match(problems('{ not yaml'), /is not YAML or JSON/);
});
