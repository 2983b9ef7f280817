import assert from 'node:assert/strict';
import { test } from 'node:test';
import { crashLoop } from '../../../src/investigation/detectors/crash-loop.ts';
import { crashloopBadConfig } from '../../../src/investigation/detectors/crashloop-bad-config.ts';
import { app, cluster, configMap, logs } from '../support/cluster.ts';
import { detect, named } from '../support/detect.ts';

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
