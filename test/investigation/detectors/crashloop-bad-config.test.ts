import assert from 'node:assert/strict';
import { test } from 'node:test';
import { crashLoop } from '../../../src/investigation/detectors/crash-loop.ts';
import { crashloopBadConfig } from '../../../src/investigation/detectors/crashloop-bad-config.ts';
import { diagnose } from '../../../src/investigation/ranking/diagnose.ts';
import { app, cluster, configMap, focusOn, logs, NS, OLD } from '../support/cluster.ts';
import { detect, named } from '../support/detect.ts';
import { buildGraph } from '../../../src/investigation/evidence/graph.ts';
import type { ClusterSnapshot } from '../../../src/investigation/evidence/snapshot.ts';

const crashing = {
  ready: false,
  restartCount: 5,
  state: { waiting: { reason: 'CrashLoopBackOff' } },
  lastState: {
    terminated: { exitCode: 1, reason: 'Error', startedAt: '2026-11-20T10:28:00Z', finishedAt: '2026-11-20T10:28:30Z' },
  },
};
const mounted = {
  volumes: [{ name: 'settings', configMap: { name: 'pricing-rules' } }],
  container: { volumeMounts: [{ name: 'settings', mountPath: '/etc/pricing' }] },
};

test('a crash right after its mounted ConfigMap changed, with a parse error, names the ConfigMap', () => {
  const snapshot = cluster((s) => {
    configMap(s, 'pricing-rules', { 'rules.yaml': 'discount: [oops' }, '2026-11-20T10:12:00Z', {
      'kubectl.kubernetes.io/last-applied-configuration': JSON.stringify({ data: { 'rules.yaml': 'discount: 5' } }),
    });
    app(s, 'pricing', { ready: false, containerStatus: crashing, ...mounted });
    logs(
      s,
      'pricing',
      [
        '2026-11-20T10:28:29Z fatal: cannot parse /etc/pricing/rules.yaml: yaml: line 1: did not find expected node content',
      ],
      true,
    );
  });
  const findings = detect(crashloopBadConfig, snapshot);
  assert.deepEqual(named(findings), ['ConfigMap/shop/pricing-rules crashloop-bad-config']);
  assert.deepEqual(findings[0]?.affects, [{ kind: 'Deployment', namespace: 'shop', name: 'pricing' }]);
  assert.deepEqual(findings[0]?.remediation?.action, {
    type: 'restore-config-key',
    kind: 'ConfigMap',
    namespace: 'shop',
    name: 'pricing-rules',
    key: 'rules.yaml',
    value: 'discount: 5',
  });
});

test('a crash unrelated to configuration stays a workload-level crash loop', () => {
  const snapshot = cluster((s) => {
    configMap(s, 'pricing-rules', { 'rules.yaml': 'discount: 5' });
    app(s, 'pricing', { ready: false, containerStatus: crashing, ...mounted });
    logs(s, 'pricing', ['panic: runtime error: index out of range'], true);
  });
  assert.deepEqual(detect(crashloopBadConfig, snapshot), []);
  assert.deepEqual(named(detect(crashLoop, snapshot)), ['Deployment/shop/pricing other']);
});

test('healthy pods reading a changed ConfigMap are no finding', () => {
  const snapshot = cluster((s) => {
    configMap(s, 'pricing-rules', { 'rules.yaml': 'discount: 5' }, '2026-11-20T10:12:00Z');
    app(s, 'pricing', mounted);
  });
  assert.deepEqual(detect(crashloopBadConfig, snapshot), []);
  assert.deepEqual(detect(crashLoop, snapshot), []);
});

test('a crash while reaching a peer is not blamed on a recently changed ConfigMap', () => {
  const snapshot = cluster((s) => {
    configMap(s, 'pricing-rules', { 'rules.yaml': 'discount: 5' }, '2026-11-20T10:12:00Z');
    app(s, 'pricing', { ready: false, containerStatus: crashing, ...mounted });
    logs(
      s,
      'pricing',
      ['fatal: failed to load rules from db:5432: dial tcp 10.96.0.12:5432: connect: connection refused'],
      true,
    );
  });
  assert.deepEqual(detect(crashloopBadConfig, snapshot), []);
});

test('with no log of the crashing pods read, a change right before the crashes is a weaker lead', () => {
  const snapshot = cluster((s) => {
    configMap(s, 'pricing-rules', { 'rules.yaml': 'discount: [oops' }, '2026-11-20T10:12:00Z');
    app(s, 'pricing', { ready: false, containerStatus: crashing, ...mounted });
  });
  const [finding] = detect(crashloopBadConfig, snapshot);
  assert.equal(finding?.entity.name, 'pricing-rules');
  assert.ok((finding?.strength ?? 0) > 0.55 && (finding?.strength ?? 1) < 0.9);
});

test('configuration that does not parse is blamed even when nobody recorded when it changed', () => {
  const snapshot = cluster((s) => {
    configMap(s, 'catalog', { 'items.json': '{"items": [{"id": 1},' });
    app(s, 'pricing', {
      ready: false,
      containerStatus: crashing,
      volumes: [{ name: 'settings', configMap: { name: 'catalog' } }],
      container: { volumeMounts: [{ name: 'settings', mountPath: '/data' }] },
    });
    logs(s, 'pricing', ['fatal: failed to parse catalog: unexpected end of JSON input'], true);
  });
  const [finding] = detect(crashloopBadConfig, snapshot);
  assert.equal(finding?.entity.name, 'catalog');
  assert.ok(finding?.evidence.some((e) => e.text === 'key items.json does not parse'));
});

/** The alert began at 10:20. */
const ALERT = { text: 'MailQueueBacklog', startsAt: '2026-11-20T10:20:00Z' };

/** Crash-looping pods of a Deployment that mounts `settings`; their previous instance's log is read and holds no line. */
function crashingOnEmptyLog(s: ClusterSnapshot, configChangedAt: string) {
  configMap(s, 'worker-settings', { 'worker.ini': '[queue]\nprefetch = 20\n' }, configChangedAt);
  app(s, 'mailer', {
    ready: false,
    volumes: [{ name: 'settings', configMap: { name: 'worker-settings' } }],
    container: { volumeMounts: [{ name: 'settings', mountPath: '/etc/mailer' }] },
    containerStatus: {
      restartCount: 6,
      state: { waiting: { reason: 'CrashLoopBackOff' } },
      lastState: {
        terminated: {
          exitCode: 2,
          reason: 'Error',
          startedAt: '2026-11-20T10:26:00Z',
          finishedAt: '2026-11-20T10:26:02Z',
        },
      },
    },
  });
  logs(s, 'mailer', [], true);
}

test('a crash log read that holds no line leaves the ConfigMap changed just before the crashes the lead', () => {
  const snapshot = cluster((s) => crashingOnEmptyLog(s, '2026-11-20T10:11:00Z'));
  const findings = crashloopBadConfig.detect(snapshot, buildGraph(snapshot), ALERT);
  assert.deepEqual(named(findings), ['ConfigMap/shop/worker-settings crashloop-bad-config']);
  assert.match(findings[0]?.summary ?? '', /crash logs read hold no line/);
});

test('an empty crash log does not blame a ConfigMap that changed days before', () => {
  const snapshot = cluster((s) => crashingOnEmptyLog(s, '2026-11-16T10:11:00Z'));
  assert.deepEqual(crashloopBadConfig.detect(snapshot, buildGraph(snapshot), ALERT), []);
});

test('a Secret-held config changed, then a rollout that only follows it (a hash annotation), then crashes with an empty log: the Secret', () => {
  const snapshot = cluster((s) => {
    s.secrets.push({
      metadata: {
        name: 'relay-conf',
        namespace: NS,
        creationTimestamp: OLD,
        managedFields: [{ manager: 'kubectl-edit', operation: 'Update', time: '2026-11-20T10:09:00Z' }],
      },
      keys: ['relay.yaml'],
    });
    app(s, 'relay', {
      revision: 4,
      changedAt: '2026-11-20T10:10:00Z',
      ready: false,
      volumes: [{ name: 'conf', secret: { secretName: 'relay-conf' } }],
      container: { volumeMounts: [{ name: 'conf', mountPath: '/etc/relay' }] },
      containerStatus: {
        restartCount: 5,
        state: { waiting: { reason: 'CrashLoopBackOff' } },
        lastState: { terminated: { exitCode: 1, reason: 'Error', finishedAt: '2026-11-20T10:25:00Z' } },
      },
    });
    const current = s.replicaSets[0];
    const older = structuredClone(current) as ClusterSnapshot['replicaSets'][number];
    older.metadata = {
      ...older.metadata,
      name: 'relay-older003',
      creationTimestamp: OLD,
      annotations: { 'deployment.kubernetes.io/revision': '3' },
    };
    if (older.spec?.template) older.spec.template.metadata = { annotations: { 'checksum/config': 'a1' } };
    if (current?.spec?.template) current.spec.template.metadata = { annotations: { 'checksum/config': 'b2' } };
    older.status = { replicas: 0 };
    s.replicaSets.push(older);
    logs(s, 'relay', [], true);
  });
  const d = diagnose(snapshot, focusOn('relay'));
  assert.deepEqual(d.rootCause, { kind: 'Secret', namespace: NS, name: 'relay-conf' });
  assert.equal(d.faultType, 'crashloop-bad-config');
});
