import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildGraph } from '../../src/investigation/evidence/graph.ts';
import type { Focus } from '../../src/investigation/focus.ts';
import type { Finding } from '../../src/investigation/model.ts';
import { refKey } from '../../src/investigation/model.ts';
import type { Detector } from '../../src/investigation/detectors/detector.ts';
import { DETECTORS } from '../../src/investigation/detectors/index.ts';
import { diagnose, rank } from '../../src/investigation/ranking/diagnose.ts';
import { app, cluster, configMap, deploymentRef, focusOn, logs, NS, node } from './support/cluster.ts';

const ruledOut = (d: ReturnType<typeof diagnose>) => d.ruledOut.map((r) => refKey(r.entity));

const crashing = {
  ready: false,
  restartCount: 7,
  state: { waiting: { reason: 'CrashLoopBackOff' } },
  lastState: {
    terminated: { exitCode: 1, reason: 'Error', startedAt: '2026-11-20T10:28:00Z', finishedAt: '2026-11-20T10:28:30Z' },
  },
};

/** web → catalog (env), catalog mounts the ConfigMap catalog-data. */
const catalogShop = (options: { brokenConfig: boolean }) =>
  cluster((s) => {
    configMap(
      s,
      'catalog-data',
      { 'items.json': options.brokenConfig ? '{"items": [' : '{"items": []}' },
      '2026-11-20T10:12:00Z',
    );
    app(s, 'catalog', {
      port: 3550,
      ready: !options.brokenConfig,
      containerStatus: options.brokenConfig ? crashing : {},
      volumes: [{ name: 'data', configMap: { name: 'catalog-data' } }],
      container: { volumeMounts: [{ name: 'data', mountPath: '/data' }] },
    });
    app(s, 'web', { env: [{ name: 'CATALOG_ADDR', value: 'catalog:3550' }] });
    if (options.brokenConfig) {
      logs(
        s,
        'catalog',
        ['2026-11-20T10:28:29Z fatal: failed to parse /data/items.json: unexpected end of JSON input'],
        true,
      );
      logs(s, 'web', [
        '2026-11-20T10:21:00Z error: could not list items: dial tcp 10.96.0.10:3550: connect: connection refused',
      ]);
    }
  });

test('victim vs cause: the ConfigMap that breaks the crashing dependency is named, the Deployment ruled out', () => {
  const d = diagnose(catalogShop({ brokenConfig: true }), focusOn('web'));
  assert.equal(d.rootCause && refKey(d.rootCause), 'ConfigMap/shop/catalog-data');
  assert.equal(d.faultType, 'crashloop-bad-config');
  assert.ok(ruledOut(d).includes('Deployment/shop/catalog'));
  assert.deepEqual(d.hypotheses[0]?.path.map((r) => r.name).at(0), 'catalog-data');
  assert.equal(d.hypotheses[0]?.path.at(-1)?.name, 'web');
  assert.ok(
    d.hypotheses[0]?.evidence.some((e) => e.source === 'graph' && /web calls catalog: env CATALOG_ADDR/.test(e.text)),
  );
  assert.ok(d.confidence >= 0.85, `confidence ${d.confidence}`);
});

test('a healthy cluster yields no root cause, and says what was checked on the path', () => {
  // Its last change (the ConfigMap, at 10:12) is hours before the symptom: not a suspect.
  const d = diagnose(catalogShop({ brokenConfig: false }), { ...focusOn('web'), startedAt: '2026-11-20T16:20:00Z' });
  assert.equal(d.rootCause, null);
  assert.equal(d.confidence, 0);
  assert.match(d.summary, /Checked on its path: .*Deployment catalog.*ConfigMap catalog-data/);
});

test('a healthy-looking path whose ConfigMap changed minutes before the symptom names that change, weakly', () => {
  const d = diagnose(catalogShop({ brokenConfig: false }), focusOn('web'));
  assert.equal(d.rootCause?.name, 'catalog-data');
  assert.ok(d.confidence >= 0.3 && d.confidence <= 0.5, `${d.confidence}`);
  assert.match(d.summary, /changed at .* 8 min before the symptom began.*To confirm:/);
});

test('a co-occurring fault that does not connect to the alerted symptom is ruled out', () => {
  const snapshot = cluster((s) => {
    app(s, 'store', {
      ready: false,
      containerStatus: {
        ...crashing,
        lastState: { terminated: { exitCode: 137, reason: 'OOMKilled', finishedAt: '2026-11-20T10:29:00Z' } },
      },
    });
    app(s, 'cart', { env: [{ name: 'STORE_ADDR', value: 'store:8080' }] });
    app(s, 'reports', {
      image: 'registry.example/reports:typo',
      ready: false,
      containerStatus: { state: { waiting: { reason: 'ImagePullBackOff' } } },
    });
  });
  const d = diagnose(snapshot, focusOn('cart'));
  assert.equal(d.rootCause && refKey(d.rootCause), 'Deployment/shop/store');
  assert.equal(d.faultType, 'oom-limit');
  assert.match(
    d.ruledOut.find((r) => r.entity.kind === 'Service' && r.entity.name === 'cart')?.reason ?? '',
    /alerted symptom/,
  );
  const reports = d.ruledOut.find((r) => r.entity.name === 'reports');
  assert.match(reports?.reason ?? '', /does not connect/);
});

test('fault-injection machinery is never the answer', () => {
  const snapshot = cluster((s) => {
    app(s, 'chaos-controller-manager', {
      labels: { 'app.kubernetes.io/part-of': 'chaos-mesh' },
      ready: false,
      containerStatus: crashing,
    });
    app(s, 'store', { replicas: 0, changedAt: '2026-11-20T10:15:00Z' });
    app(s, 'cart', {
      env: [
        { name: 'STORE_ADDR', value: 'store:8080' },
        { name: 'CHAOS_ADDR', value: 'chaos-controller-manager:8080' },
      ],
    });
  });
  const d = diagnose(snapshot, focusOn('cart'));
  assert.equal(d.rootCause && refKey(d.rootCause), 'Deployment/shop/store');
  assert.equal(d.faultType, 'dependency-down');
  assert.match(d.ruledOut.find((r) => r.entity.name === 'chaos-controller-manager')?.reason ?? '', /fault-injection/);
});

test('two findings on one path: the node that died explains the workload without ready pods', () => {
  const snapshot = cluster((s) => {
    node(s, 'node-a', { ready: 'Unknown', since: '2026-11-20T10:15:00Z' });
    node(s, 'node-b');
    app(s, 'sessions', { node: 'node-a', ready: false });
    app(s, 'web', { node: 'node-b', env: [{ name: 'SESSIONS_ADDR', value: 'sessions:8080' }] });
  });
  const d = diagnose(snapshot, focusOn('web'));
  assert.equal(d.rootCause && refKey(d.rootCause), 'Node/node-a');
  assert.match(d.ruledOut.find((r) => r.entity.name === 'sessions')?.reason ?? '', /consequence of Node node-a/);
  assert.deepEqual(d.remediation?.action, { type: 'cordon-node', name: 'node-a' });
});

test('two strong findings on one path: the one changed shortly before the symptom ranks first, with lower confidence', () => {
  const snapshot = cluster((s) => app(s, 'web'));
  const graph = buildGraph(snapshot);
  const finding = (name: string, changedAt: string): Finding => ({
    detector: 'test',
    faultType: 'bad-env',
    entity: deploymentRef(name),
    affects: [deploymentRef('web')],
    strength: 0.85,
    summary: name,
    evidence: [{ source: 'spec', ref: deploymentRef(name), text: name }],
    changedAt,
  });
  const d = rank(
    [finding('stale', '2026-10-01T00:00:00Z'), finding('fresh', '2026-11-20T10:18:00Z')],
    snapshot,
    graph,
    focusOn('web'),
  );
  assert.equal(d.rootCause?.name, 'fresh');
  assert.ok(d.confidence < 0.8 && d.confidence > 0.4, `confidence ${d.confidence}`);
  assert.equal(d.hypotheses[1]?.entity.name, 'stale');
});

test('evidence that all dates from long before the incident is history, not a cause', () => {
  const snapshot = cluster((s) => app(s, 'web'));
  const old: Finding = {
    detector: 'test',
    faultType: 'other',
    entity: deploymentRef('web'),
    affects: [deploymentRef('web')],
    strength: 0.6,
    summary: 'restarted once',
    evidence: [{ source: 'event', ref: deploymentRef('web'), text: 'BackOff', at: '2026-11-18T10:00:00Z' }],
  };
  const d = rank([old], snapshot, buildGraph(snapshot), focusOn('web'));
  assert.equal(d.rootCause, null);
  assert.match(d.ruledOut[0]?.reason ?? '', /history/);
});

test('without a resolved symptom, workloads the alert words hint at decide between equal findings', () => {
  const snapshot = cluster((s) => {
    app(s, 'redis-basket', { port: 6379, replicas: 0, changedAt: '2026-11-20T10:15:00Z' });
    app(s, 'basket-api', { env: [{ name: 'REDIS_ADDR', value: 'redis-basket:6379' }] });
    app(s, 'search-index', { replicas: 0, changedAt: '2026-11-20T10:15:00Z' });
    app(s, 'search-api', { env: [{ name: 'INDEX_ADDR', value: 'search-index:8080' }] });
  });
  const focus: Focus = {
    namespace: NS,
    symptom: null,
    startedAt: '2026-11-20T10:20:00Z',
    alertText: 'basket broken for everyone',
    assumptions: [],
  };
  const d = diagnose(snapshot, focus);
  assert.equal(d.rootCause?.name, 'redis-basket');
  assert.match(d.ruledOut.find((r) => r.entity.name === 'search-index')?.reason ?? '', /does not connect/);
});

test('two weak findings that explain each other leave one standing', () => {
  const snapshot = cluster((s) => {
    app(s, 'ping', { ready: false, env: [{ name: 'PONG_ADDR', value: 'pong:8080' }] });
    app(s, 'pong', { ready: false, env: [{ name: 'PING_ADDR', value: 'ping:8080' }] });
  });
  const d = diagnose(snapshot, focusOn('ping'));
  assert.ok(d.rootCause, 'a root cause');
  assert.equal(d.faultType, 'dependency-down');
});

test('without an alert start, the first error in the logs dates the incident, so a change just before it wins', () => {
  const snapshot = cluster((s) => {
    app(s, 'web', { env: [{ name: 'RATES_ADDR', value: 'rates:8080' }] });
    app(s, 'rates');
    logs(s, 'web', ['2026-11-20T10:21:00Z error: rates unavailable']);
  });
  const finding = (name: string, changedAt: string): Finding => ({
    detector: 'test',
    faultType: 'bad-image',
    entity: deploymentRef(name),
    affects: [deploymentRef(name)],
    strength: 0.95,
    summary: name,
    evidence: [{ source: 'status', ref: deploymentRef(name), text: name }],
    changedAt,
  });
  const focus: Focus = { namespace: NS, symptom: null, alertText: 'site down', assumptions: [] };
  const d = rank(
    [finding('legacy', '2026-11-17T09:00:00Z'), finding('rates', '2026-11-20T10:19:00Z')],
    snapshot,
    buildGraph(snapshot),
    focus,
  );
  assert.equal(d.rootCause?.name, 'rates');
});

test('a detector that throws does not cost the answer', () => {
  const broken: Detector = {
    id: 'broken',
    faultTypes: ['other'],
    detect: () => {
      throw new Error('unexpected shape');
    },
  };
  const d = diagnose(catalogShop({ brokenConfig: true }), focusOn('web'), { broken, ...DETECTORS });
  assert.equal(d.rootCause?.name, 'catalog-data');
  assert.deepEqual(d.failedDetectors, [{ detector: 'broken', error: 'unexpected shape' }]);
});

test('with nothing abnormal found, the dependency the symptom’s own errors name is a weak answer rather than none', () => {
  const quiet = (line: string) =>
    cluster((s) => {
      app(s, 'ledger-api', { port: 8080 });
      app(s, 'web');
      logs(s, 'web', [`2026-11-20T10:25:00Z level=error msg="call failed" ${line}`]);
    });
  const lead = diagnose(quiet('url=http://ledger-api:8080/v1/post status=503'), focusOn('web'));
  assert.deepEqual(lead.rootCause, deploymentRef('ledger-api'));
  assert.equal(lead.faultType, 'other');
  assert.ok(lead.confidence > 0 && lead.confidence <= 0.35, `${lead.confidence}`);
  // Errors of its own that name no dependency: the workload itself is the likeliest place, as weakly.
  const own = diagnose(quiet('panic: nil map'), focusOn('web'));
  assert.deepEqual(own.rootCause, deploymentRef('web'));
  assert.ok(own.confidence <= 0.3, `${own.confidence}`);
  assert.match(own.summary, /errors of its own/);
});

test('an answer reasoned from lists cut short keeps its root cause and is less sure of it', () => {
  const whole = catalogShop({ brokenConfig: true });
  const cut = catalogShop({ brokenConfig: true });
  cut.incomplete.push({ kind: 'Event', namespace: NS, read: 500, unread: 40, why: 'its read budget was spent' });
  const sure = diagnose(whole, focusOn('web'));
  const lessSure = diagnose(cut, focusOn('web'));
  assert.ok(sure.rootCause);
  assert.deepEqual(lessSure.rootCause, sure.rootCause);
  assert.equal(lessSure.faultType, sure.faultType);
  assert.ok(lessSure.confidence < sure.confidence);
  assert.ok(lessSure.hypotheses.every((h, i) => h.confidence < (sure.hypotheses[i]?.confidence ?? 0)));
});

test('a fault in an object an operator generates is answered at the custom resource it is generated from', () => {
  const oomKilled = {
    ready: false,
    restartCount: 5,
    state: { waiting: { reason: 'CrashLoopBackOff' } },
    lastState: {
      terminated: {
        exitCode: 137,
        reason: 'OOMKilled',
        startedAt: '2026-11-20T10:27:00Z',
        finishedAt: '2026-11-20T10:28:00Z',
      },
    },
  };
  const generated = cluster((s) => {
    app(s, 'queue', { ready: false, containerStatus: oomKilled });
    const owner = {
      apiVersion: 'mq.example.org/v1',
      kind: 'QueueCluster',
      name: 'jobs',
      uid: 'uid-jobs',
      controller: true,
    };
    const deployment = s.deployments.find((d) => d.metadata?.name === 'queue');
    if (deployment?.metadata) deployment.metadata.ownerReferences = [owner];
  });
  const answer = diagnose(generated, focusOn('queue'));
  assert.deepEqual(answer.rootCause, { kind: 'QueueCluster', namespace: NS, name: 'jobs' });
  assert.equal(answer.faultType, 'oom-limit');
  assert.ok(answer.hypotheses[0]?.evidence.some((e) => /controlled by QueueCluster jobs/.test(e.text)));
  // No patch of the generated Deployment is proposed: the operator would reconcile it away.
  assert.equal(answer.remediation, null);

  // A Deployment owned by nothing (or by a built-in kind) is answered as it is.
  const plain = cluster((s) => app(s, 'queue', { ready: false, containerStatus: oomKilled }));
  assert.deepEqual(diagnose(plain, focusOn('queue')).rootCause, deploymentRef('queue'));
});
