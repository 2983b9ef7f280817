import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it, test } from 'node:test';
import { AlertSchema } from '../../src/alert/alert.ts';
import { MemoryAuditLog } from '../../src/audit/audit-log.ts';
import { investigate } from '../../src/investigation/engine.ts';
import { consumersOf, isBacklogAlert, queueNames } from '../../src/investigation/evidence/queue-consumers.ts';
import type { ClusterSnapshot } from '../../src/investigation/evidence/snapshot.ts';
import { loadScenario } from '../../src/simulation/scenario.ts';
import { startSimulation } from '../../src/simulation/simulation.ts';
import { replayScenarioFile } from './support/replay.ts';

const alert = (title: string, labels: Record<string, string> = {}, summary?: string) =>
  AlertSchema.parse({ source: 'alertmanager', title, labels, ...(summary ? { annotations: { summary } } : {}) });

type Deployment = ClusterSnapshot['deployments'][number];
const deployment = (namespace: string, name: string, env: string[], ready = 1, args: string[] = []) => ({
  kind: 'Deployment' as const,
  object: {
    metadata: { namespace, name },
    spec: {
      replicas: 1,
      selector: {},
      template: {
        spec: { containers: [{ name, args, env: env.map((value, i) => ({ name: `V${i}`, value })) }] },
      },
    },
    status: { readyReplicas: ready },
  } as Deployment,
});

describe('isBacklogAlert', () => {
  it('reads work piling up or dropped at a broker, CamelCase alert names included', () => {
    for (const title of ['JobsQueueBacklog', 'StreamConsumerLag', 'TopicMessagesDropped', 'QueueDepthHigh']) {
      assert.ok(isBacklogAlert(alert(title)), title);
    }
    assert.ok(isBacklogAlert(alert('MqAlert', {}, 'invoices: 800 messages waiting, 0 consumers')));
  });
  it("reads a Kafka exporter's consumer group lag, where the group is one word", () => {
    assert.ok(isBacklogAlert(alert('KafkaConsumergroupLagGrowing')));
    assert.ok(isBacklogAlert(alert('ExporterAlert', {}, 'kafka_consumergroup_lag for group billing above 20000')));
    assert.ok(isBacklogAlert(alert('consumer_group_lag_high')));
  });
  it("is not a consumer group's membership or a replica's lag", () => {
    for (const title of ['KafkaConsumergroupRebalancing', 'KafkaConsumergroupMembersDown', 'PostgresReplicaLagHigh']) {
      assert.equal(isBacklogAlert(alert(title)), false, title);
    }
  });
  it('is not a failing service, a crash or a slow page', () => {
    for (const title of [
      'HighRequestErrorRate',
      'KubePodCrashLooping',
      'Checkout p99 latency 3s',
      'Queue page broken',
    ]) {
      assert.equal(isBacklogAlert(alert(title)), false, title);
    }
  });
});

describe('queueNames', () => {
  it('keeps the label values that name a queue, topic or group, not the generic ones', () => {
    const labels = {
      alertname: 'X',
      namespace: 'mq',
      service: 'broker',
      severity: 'warning',
      queue: 'Invoices.Out',
      vhost: '/',
    };
    assert.deepEqual(queueNames(alert('X', labels)), ['invoices.out']);
  });
});

describe('consumersOf', () => {
  const broker = { namespace: 'bus', service: 'nats' };
  it('ranks the workload naming the queue first, even when another caller of the broker is not running', () => {
    const found = consumersOf(
      [
        deployment('shop', 'api', ['nats://nats.bus.svc:4222'], 0),
        deployment('shop', 'mailer', ['nats://nats.bus.svc:4222', 'mail.outgoing']),
        deployment('bus', 'nats', ['nats://nats.bus.svc:4222']),
        deployment('shop', 'web', ['http://api:8080']),
      ],
      broker,
      ['mail.outgoing'],
    );
    assert.deepEqual(
      found.map((c) => c.ref.name),
      ['mailer', 'api'],
    );
    assert.equal(found[0]?.because, 'its configuration names mail.outgoing');
  });
  it('without the queue named: a caller of the broker itself before callers of its neighbours, then the one not running', () => {
    const found = consumersOf(
      [
        deployment('reports', 'exporter', ['postgres://pg.bus.svc:5432/db'], 0),
        deployment('shop', 'worker', ['nats://nats.bus.svc:4222']),
        deployment('ops', 'drain', ['-s', 'nats.bus.svc.cluster.local:4222'], 0),
      ],
      broker,
      [],
    );
    assert.deepEqual(
      found.map((c) => c.ref.name),
      ['drain', 'worker', 'exporter'],
    );
  });
  it('reads the ConfigMaps a workload mounts or takes its environment from, when given', () => {
    const mounted = deployment('shop', 'billing', []);
    const spec = mounted.object.spec?.template?.spec;
    if (spec) spec.volumes = [{ name: 'config', configMap: { name: 'billing-config' } }];
    const configMaps = [
      {
        metadata: { namespace: 'shop', name: 'billing-config' },
        data: { 'app.yaml': 'broker: nats.bus.svc:4222\nsubject: "bills.due"' },
      },
    ];
    assert.deepEqual(consumersOf([mounted], broker, ['bills.due']), []);
    const found = consumersOf([mounted], broker, ['bills.due'], { configMaps });
    assert.deepEqual(
      found.map((c) => [c.ref.name, c.namesQueue, c.namesService]),
      [['billing', true, true]],
    );
  });
  it('takes the workload an autoscaler scales on a metric of the queue as its consumer', () => {
    const hpa = {
      metadata: { namespace: 'shop', name: 'keda-hpa-billing' },
      spec: {
        maxReplicas: 4,
        scaleTargetRef: { kind: 'Deployment', name: 'billing' },
        metrics: [{ type: 'External', external: { metric: { name: 's0-nats-bills.due' }, target: { type: 'Value' } } }],
      },
    };
    const workloads = [deployment('shop', 'api', ['nats://nats.bus.svc:4222']), deployment('shop', 'billing', [])];
    const found = consumersOf(workloads, broker, ['bills.due'], { autoscalers: [hpa] });
    assert.deepEqual(
      found.map((c) => [c.ref.name, c.namesQueue]),
      [
        ['billing', true],
        ['api', false],
      ],
    );
    assert.match(found[0]?.because ?? '', /keda-hpa-billing scales it on s0-nats-bills\.due/);
  });
  it("leaves out a healthy workload that only calls another Service of the broker's namespace", () => {
    const found = consumersOf([deployment('shop', 'reports', ['postgres://pg.bus.svc:5432/db'])], broker, []);
    assert.deepEqual(found, []);
  });
  it("in the broker's own namespace, only workloads naming its Service by its short name", () => {
    const found = consumersOf(
      [deployment('bus', 'relay', ['nats://nats:4222']), deployment('bus', 'other', ['redis://cache:6379'])],
      broker,
      [],
    );
    assert.deepEqual(
      found.map((c) => c.ref.name),
      ['relay'],
    );
  });
});

// The alert carries the broker's namespace; the queue's consumer runs elsewhere and cannot start. Two cluster-wide
// lists find it and stand for that namespace's own reads; the broker is then read as the consumer's dependency.
test('a backlog at a broker leads to the consumer of its queue in another namespace, and why it does not consume', async () => {
  const { result, requests } = await replayScenarioFile(
    join(import.meta.dirname, '../fixtures/scenarios/kiln-queue-consumer-missing-secret.yaml'),
  );
  assert.deepEqual(result.rootCause, { kind: 'Deployment', namespace: 'kiln', name: 'glaze-worker' });
  assert.equal(result.faultType, 'missing-secret');
  assert.ok(result.assumptions.some((a) => /glaze-worker: work waits at mq in broker.*glaze\.jobs/.test(a)));
  const paths = requests.map((request) => request.path);
  assert.ok(paths.includes('/apis/apps/v1/deployments'));
  assert.ok(!paths.includes('/apis/apps/v1/namespaces/kiln/deployments'));
  assert.ok(paths.includes('/api/v1/namespaces/broker/pods'));
});

// The consumer names the topic and the broker only in the file it mounts; an admin tool names the broker in its env.
// Nobody's own settings naming the topic, the cluster's ConfigMaps are read once, and stand for the namespace's own.
test('a consumer configured by a mounted file is found through the ConfigMaps, and held at its autoscaler maximum', async () => {
  const { result, requests } = await replayScenarioFile(
    join(import.meta.dirname, '../fixtures/scenarios/loom-topic-consumer-in-config-file.yaml'),
  );
  assert.deepEqual(result.rootCause, { kind: 'HorizontalPodAutoscaler', namespace: 'loom', name: 'invoicer' });
  assert.equal(result.faultType, 'hpa-limit');
  const paths = requests.map((request) => request.path);
  assert.equal(paths.filter((path) => path === '/api/v1/configmaps').length, 1);
  assert.ok(!paths.includes('/api/v1/namespaces/loom/configmaps'));
});

// A Kafka exporter's alert: the group is one word of its name (`consumergroup`), the group's id a label of it.
test("a Kafka exporter's consumer group lag leads to the consumer like any backlog", async () => {
  const scenario = await loadScenario(
    join(import.meta.dirname, '../fixtures/scenarios/kiln-queue-consumer-missing-secret.yaml'),
  );
  const simulation = await startSimulation(scenario);
  try {
    const labels = { alertname: 'KafkaConsumergroupLagGrowing', namespace: 'broker', consumergroup: 'glaze.jobs' };
    const result = await investigate(
      AlertSchema.parse({
        source: 'alertmanager',
        title: 'KafkaConsumergroupLagGrowing',
        labels,
        startsAt: scenario.alert.startsAt,
      }),
      { kubeConfig: simulation.kubeConfig, audit: new MemoryAuditLog(), now: new Date(scenario.now) },
    );
    assert.deepEqual(result.rootCause, { kind: 'Deployment', namespace: 'kiln', name: 'glaze-worker' });
  } finally {
    await simulation.close();
  }
});

// Only the autoscaler scaling the consumer on the topic's lag names it (KEDA: s0-<scaler>-<topic>).
test('an autoscaler scaling on the queue names its consumer among the workloads calling the broker', async () => {
  const { result } = await replayScenarioFile(
    join(import.meta.dirname, '../fixtures/scenarios/loom-topic-consumer-keda-autoscaler.yaml'),
  );
  assert.deepEqual(result.rootCause, { kind: 'HorizontalPodAutoscaler', namespace: 'loom', name: 'invoicer' });
  assert.ok(result.assumptions.some((a) => /loom\/invoicer: .*scales it on s0-kafka-loom\.invoices/.test(a)));
});

// An alert that names the workload itself already points at the consumer side: no walk, no cluster-wide lists.
test('a backlog alert naming its workload is investigated where it points, without looking for consumers', async () => {
  const scenario = await loadScenario(
    join(import.meta.dirname, '../fixtures/scenarios/kiln-queue-consumer-missing-secret.yaml'),
  );
  const simulation = await startSimulation(scenario);
  try {
    const labels = { ...scenario.alert.labels, namespace: 'kiln', deployment: 'glaze-worker' };
    const result = await investigate(AlertSchema.parse({ ...scenario.alert, labels }), {
      kubeConfig: simulation.kubeConfig,
      audit: new MemoryAuditLog(),
      now: new Date(scenario.now),
    });
    assert.deepEqual(result.rootCause, { kind: 'Deployment', namespace: 'kiln', name: 'glaze-worker' });
    assert.ok(!simulation.requests().some((request) => request.path === '/apis/apps/v1/deployments'));
  } finally {
    await simulation.close();
  }
});
