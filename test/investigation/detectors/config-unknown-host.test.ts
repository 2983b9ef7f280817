import assert from 'node:assert/strict';
import { test } from 'node:test';
import { configUnknownHost } from '../../../src/investigation/detectors/config-unknown-host.ts';
import { dns } from '../../../src/investigation/detectors/dns.ts';
import { app, cluster, configMap, logs } from '../support/cluster.ts';
import { detect, named } from '../support/detect.ts';

const readsConfig = {
  env: [{ name: 'CONFIG', valueFrom: { configMapKeyRef: { name: 'web-config', key: 'app.properties' } } }],
};

test('a ConfigMap naming a host no Service answers, with failed lookups of it, is a config fault of the ConfigMap, not dns', () => {
  const snapshot = cluster((s) => {
    configMap(s, 'web-config', { 'app.properties': 'ledger.url=http://ledgerr:8080/api' });
    app(s, 'ledger');
    app(s, 'web', readsConfig);
    logs(s, 'web', ['Get "http://ledgerr:8080/api": dial tcp: lookup ledgerr: no such host']);
  });
  assert.deepEqual(named(detect(configUnknownHost, snapshot)), ['ConfigMap/shop/web-config crashloop-bad-config']);
  assert.deepEqual(detect(dns, snapshot), []);
});

test('the reader crash-looping on it makes the claim stronger and is shown', () => {
  const snapshot = cluster((s) => {
    configMap(s, 'web-config', { 'app.properties': 'db.host=ledger-v2:5432' });
    app(s, 'ledger');
    app(s, 'web', {
      ...readsConfig,
      ready: false,
      containerStatus: {
        restartCount: 5,
        state: { waiting: { reason: 'CrashLoopBackOff' } },
        lastState: {
          terminated: {
            exitCode: 1,
            reason: 'Error',
            startedAt: '2026-11-20T10:27:00Z',
            finishedAt: '2026-11-20T10:27:30Z',
          },
        },
      },
    });
    logs(s, 'web', ['FATAL cannot reach database: dial tcp: lookup ledger-v2 on 10.96.0.10:53: no such host']);
  });
  const [finding] = detect(configUnknownHost, snapshot);
  assert.equal(finding?.faultType, 'crashloop-bad-config');
  assert.ok((finding?.strength ?? 0) >= 0.9);
  assert.match(finding?.summary ?? '', /crashes on it/);
});

test('a host a Service answers is no finding, whatever the lookups say', () => {
  const snapshot = cluster((s) => {
    configMap(s, 'web-config', { 'app.properties': 'ledger.url=http://ledger:8080/api' });
    app(s, 'ledger');
    app(s, 'web', readsConfig);
    logs(s, 'web', ['Get "http://ledger:8080/api": dial tcp: lookup ledger: i/o timeout']);
  });
  assert.deepEqual(detect(configUnknownHost, snapshot), []);
});
