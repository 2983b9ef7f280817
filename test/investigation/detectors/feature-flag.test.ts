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

test('a long-unchanged config section that merely holds a boolean is no flag, though the product logs its name', () => {
  // `streamd:` heads the product's own config file; every line its log prints names the product.
  const snapshot = cluster((s) => {
    configMap(s, 'streamd', { 'streamd.yaml': 'streamd:\n  data_directory: /data\n  developer_mode: false\n' });
    app(s, 'streamd', {
      volumes: [{ name: 'config', configMap: { name: 'streamd' } }],
      container: { volumeMounts: [{ name: 'config', mountPath: '/etc/streamd' }] },
    });
    logs(s, 'streamd', ['WARN [streamd/controller/0] raft - unable to reach quorum, 2 of 3 voters unreachable']);
  });
  assert.deepEqual(detect(featureFlag, snapshot), []);
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

const envFrom = { container: { envFrom: [{ configMapRef: { name: 'search-settings' } }] } };
const settings = (s: Parameters<Parameters<typeof cluster>[0]>[0], annotations?: Record<string, string>) =>
  configMap(
    s,
    'search-settings',
    { SORT_MODE: 'nearest-first', PAGE_SIZE: '400', SHOW_BANNER: 'true', DB_URL: 'postgres://db.shop.svc:5432/app' },
    '2026-11-20T10:20:00Z',
    annotations,
  );

test('any setting of a changed ConfigMap read through envFrom is implicated when the errors quote its value', () => {
  const snapshot = cluster((s) => {
    settings(s, {
      'kubectl.kubernetes.io/last-applied-configuration': JSON.stringify({
        data: { SHOW_BANNER: 'false', SORT_MODE: 'relevance', PAGE_SIZE: '400' },
      }),
    });
    app(s, 'search', envFrom);
    logs(s, 'search', [
      '2026-11-20T10:22:00Z INFO started, sort=nearest-first size=400',
      '2026-11-20T10:23:00Z ERROR query failed: sort "nearest-first" has no index loaded',
    ]);
  });
  const findings = detect(featureFlag, snapshot);
  assert.deepEqual(named(findings), ['ConfigMap/shop/search-settings feature-flag']);
  assert.match(findings[0]?.summary ?? '', /SORT_MODE=nearest-first/);
  assert.ok((findings[0]?.strength ?? 0) >= 0.85);
  assert.equal(
    findings[0]?.remediation?.action.type === 'restore-config-key' && findings[0].remediation.action.key,
    'SORT_MODE',
  );
});

test('a setting inside a mounted file counts; trivial values and endpoints in errors implicate nothing', () => {
  const mounted = cluster((s) => {
    configMap(
      s,
      'search-files',
      { 'search.yaml': 'sort:\n  mode: nearest-first\n  size: 400\n' },
      '2026-11-20T10:20:00Z',
    );
    app(s, 'search', {
      volumes: [{ name: 'conf', configMap: { name: 'search-files' } }],
      container: { volumeMounts: [{ name: 'conf', mountPath: '/etc/search' }] },
    });
    logs(s, 'search', ['2026-11-20T10:23:00Z ERROR query failed: mode nearest-first has no index loaded']);
  });
  assert.deepEqual(named(detect(featureFlag, mounted)), ['ConfigMap/shop/search-files feature-flag']);
  const trivial = cluster((s) => {
    settings(s);
    app(s, 'search', envFrom);
    logs(s, 'search', [
      '2026-11-20T10:23:00Z ERROR request failed after 400 ms: true',
      '2026-11-20T10:24:00Z ERROR connection refused: postgres://db.shop.svc:5432/app',
    ]);
  });
  assert.deepEqual(detect(featureFlag, trivial), []);
});

test('a reader restarted with unchanged containers right after the change supports it; unread logs alone do not', () => {
  const unread = (restartedAt?: string) =>
    cluster((s) => {
      settings(s);
      app(s, 'search', envFrom);
      const template = s.deployments[0]?.spec?.template;
      if (template?.metadata && restartedAt)
        template.metadata.annotations = { 'kubectl.kubernetes.io/restartedAt': restartedAt };
    });
  const restarted = detect(featureFlag, unread('2026-11-20T10:22:00Z'));
  assert.deepEqual(named(restarted), ['ConfigMap/shop/search-settings feature-flag']);
  assert.ok(restarted[0]?.evidence.some((e) => /restarted at 2026-11-20T10:22:00Z/.test(e.text)));
  assert.deepEqual(detect(featureFlag, unread()), []);
  // Restarted before the change: nothing to pick up.
  assert.deepEqual(detect(featureFlag, unread('2026-11-20T10:10:00Z')), []);
});

test('a reader that says it took a switched flag at its new value, logging no error, names the ConfigMap; a reload quoting another value does not', () => {
  const took = (line: string) =>
    cluster((s) => {
      configMap(s, 'toggles', { 'toggles.yaml': 'strict_matching_v2: true\nbatch_size: 50\n' }, '2026-11-20T10:20:00Z');
      app(s, 'matcher', {
        volumes: [{ name: 'toggles', configMap: { name: 'toggles' } }],
        container: { volumeMounts: [{ name: 'toggles', mountPath: '/etc/toggles' }] },
      });
      logs(s, 'matcher', ['2026-11-20T10:05:00Z INFO matched 40 orders', line]);
    });
  const found = detect(
    featureFlag,
    took('2026-11-20T10:20:30Z INFO toggles reloaded from /etc/toggles: strict_matching_v2=true'),
  );
  assert.deepEqual(named(found), ['ConfigMap/shop/toggles feature-flag']);
  assert.ok((found[0]?.strength ?? 1) < 0.7, 'below any finding quoting errors');
  assert.deepEqual(
    detect(featureFlag, took('2026-11-20T10:20:30Z INFO toggles reloaded: strict_matching_v2=false')),
    [],
  );
  // Said before the change: it took an older version.
  assert.deepEqual(
    detect(featureFlag, took('2026-11-20T10:10:00Z INFO toggles reloaded: strict_matching_v2=true')),
    [],
  );
});

test('a reader logging a switch of a flag to its value now (`old -> new`) took it, a sibling boolean of flags too', () => {
  const switched = (line: string) =>
    cluster((s) => {
      configMap(s, 'flags', { FEATURE_NEW_NAV: 'false', 'indexer.write_v2_alias': 'true' }, '2026-11-20T10:20:00Z');
      app(s, 'indexer', {
        volumes: [{ name: 'flags', configMap: { name: 'flags' } }],
        container: { volumeMounts: [{ name: 'flags', mountPath: '/etc/flags' }] },
      });
      logs(s, 'indexer', ['2026-11-20T10:05:00Z INFO flushed 40 docs', line]);
    });
  assert.deepEqual(
    named(
      detect(featureFlag, switched('2026-11-20T10:20:40Z INFO FlagWatcher : indexer.write_v2_alias false -> true')),
    ),
    ['ConfigMap/shop/flags feature-flag'],
  );
  // A switch to another value than the one it holds now is not this change.
  assert.deepEqual(
    detect(featureFlag, switched('2026-11-20T10:20:40Z INFO FlagWatcher : indexer.write_v2_alias true -> false')),
    [],
  );
});
