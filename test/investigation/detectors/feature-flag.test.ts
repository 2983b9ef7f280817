import assert from 'node:assert/strict';
import { test } from 'node:test';
import { featureFlag } from '../../../src/investigation/detectors/feature-flag.ts';
import { app, cluster, configMap, logs } from '../support/cluster.ts';
import { detect, named } from '../support/detect.ts';

const reads = {
  env: [{ name: 'FLAGS', valueFrom: { configMapKeyRef: { name: 'toggles', key: 'ENABLE_NEW_PRICING' } } }],
};

test('a flag switched shortly before the workload reading it logs errors about it names the ConfigMap', () => {
  const snapshot = cluster((s) => {
    configMap(s, 'toggles', { ENABLE_NEW_PRICING: 'true' }, '2026-11-20T10:20:00Z', {
      'kubectl.kubernetes.io/last-applied-configuration': JSON.stringify({ data: { ENABLE_NEW_PRICING: 'false' } }),
    });
    app(s, 'pricing', reads);
    logs(s, 'pricing', [
      '2026-11-20T10:22:00Z ERROR new pricing path failed: ENABLE_NEW_PRICING is on but the rules table is empty',
    ]);
  });
  const findings = detect(featureFlag, snapshot);
  assert.deepEqual(named(findings), ['ConfigMap/shop/toggles feature-flag']);
  assert.deepEqual(findings[0]?.remediation?.action, {
    type: 'restore-config-key',
    kind: 'ConfigMap',
    namespace: 'shop',
    name: 'toggles',
    key: 'ENABLE_NEW_PRICING',
    value: 'false',
  });
});

test('with the change long ago, only errors that name the flag count, and more weakly', () => {
  const old = (line: string) =>
    cluster((s) => {
      configMap(s, 'toggles', { ENABLE_NEW_PRICING: 'true' });
      app(s, 'pricing', reads);
      logs(s, 'pricing', [line]);
    });
  const [named_] = detect(featureFlag, old('ERROR new pricing path failed: ENABLE_NEW_PRICING is on'));
  assert.equal(named_?.entity.name, 'toggles');
  assert.ok((named_?.strength ?? 1) < 0.8 && named_?.changedAt === undefined);
  assert.deepEqual(detect(featureFlag, old('ERROR feature pricing failed')), []);
});

test('a flag switched recently on a workload whose logs were not read is a weak suspicion, cleared by logs that say nothing', () => {
  const base = () =>
    cluster((s) => {
      configMap(s, 'toggles', { ENABLE_NEW_PRICING: 'true' }, '2026-11-20T10:20:00Z');
      app(s, 'pricing', reads);
    });
  const unread = detect(featureFlag, base());
  assert.deepEqual(named(unread), ['ConfigMap/shop/toggles feature-flag']);
  assert.ok((unread[0]?.strength ?? 1) < 0.5);
  const quiet = base();
  logs(quiet, 'pricing', ['WARN slow request took 2s']);
  assert.deepEqual(detect(featureFlag, quiet), []);
});
