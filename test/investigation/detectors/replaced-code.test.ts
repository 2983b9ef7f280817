import assert from 'node:assert/strict';
import { test } from 'node:test';
import { badRollout } from '../../../src/investigation/detectors/bad-rollout.ts';
import type { ClusterSnapshot } from '../../../src/investigation/evidence/snapshot.ts';
import { diagnose } from '../../../src/investigation/ranking/diagnose.ts';
import { app, cluster, configMap, deploymentRef, focusOn, logs, NS } from '../support/cluster.ts';
import { named } from '../support/detect.ts';
import { buildGraph } from '../../../src/investigation/evidence/graph.ts';

/*
 * A completed rollout of other code whose ready pods log errors of their own since (the probes do not touch the path
 * that fails): the workload's new revision, not a ConfigMap changed nearby nor a callee answering the new requests.
 */

type Snapshot = ClusterSnapshot;
type Container = NonNullable<Snapshot['pods'][number]['spec']>['containers'][number];

/** The alert began at 10:20 (focusOn); detectors are given the same onset. */
const ALERT = { text: 'HighErrorRate', startsAt: '2026-11-20T10:20:00Z' };
const detectAt = (snapshot: Snapshot) => badRollout.detect(snapshot, buildGraph(snapshot), ALERT);

/** Revision 1 (scaled to zero, `before`) replaced by revision 2 (`after`) at `rolledAt`: every pod runs the new one. */
function replaced(s: Snapshot, name: string, rolledAt: string, before: Partial<Container>, after: Partial<Container>) {
  app(s, name, { revision: 2, changedAt: rolledAt, container: after });
  const [current] = s.replicaSets.filter((rs) => rs.metadata?.name?.startsWith(`${name}-`));
  const template = current?.spec?.template;
  s.replicaSets.push({
    metadata: {
      name: `${name}-older01`,
      namespace: NS,
      creationTimestamp: '2026-11-12T08:00:00Z',
      annotations: { 'deployment.kubernetes.io/revision': '1' },
      ownerReferences: current?.metadata?.ownerReferences,
    },
    spec: {
      replicas: 0,
      selector: { matchLabels: { app: name } },
      template: {
        ...template,
        spec: {
          ...template?.spec,
          containers: (template?.spec?.containers ?? []).map((c) => ({ ...c, ...before })),
        },
      },
    },
    status: { replicas: 0 },
  });
}

test('a new image that replaced every pod, ready but logging its own exceptions since, is the bad rollout', () => {
  const snapshot = cluster((s) => {
    replaced(
      s,
      'ledger',
      '2026-11-20T10:14:00Z',
      { image: 'registry.example/ledger:4.1.0' },
      { image: 'registry.example/ledger:4.2.0' },
    );
    logs(s, 'ledger', [
      "2026-11-20T10:21:00Z ERROR Unhandled exception on POST /v2/postings: AttributeError: 'Posting' object has no attribute 'currency_code'",
    ]);
    // A flag ConfigMap of another reader, edited an hour and a half before, its reader's logs unread: a far distractor.
    configMap(s, 'web-flags', { FEATURE_NEW_SEARCH: 'true' }, '2026-11-20T08:50:00Z');
    app(s, 'web', {
      env: [{ name: 'LEDGER_URL', value: 'http://ledger:8080' }],
      container: { envFrom: [{ configMapRef: { name: 'web-flags' } }] },
    });
  });
  assert.deepEqual(named(detectAt(snapshot)), ['Deployment/shop/ledger bad-rollout']);
  const d = diagnose(snapshot, focusOn('ledger'));
  assert.deepEqual(d.rootCause, deploymentRef('ledger'));
  assert.equal(d.faultType, 'bad-rollout');
  assert.deepEqual(d.remediation?.action, { type: 'rollout-undo', namespace: NS, name: 'ledger', toRevision: 1 });
});

test('new arguments on the same image count as other code; a callee erring only since answers the new requests', () => {
  const snapshot = cluster((s) => {
    const env = [{ name: 'DB_ADDR', value: 'billing-db:5432' }];
    replaced(
      s,
      'billing',
      '2026-11-20T10:16:00Z',
      { args: ['--schema=v7'], env },
      { args: ['--schema=v8', '--batch-invoices'], env },
    );
    app(s, 'billing-db', { port: 5432 });
    logs(s, 'billing', [
      '2026-11-20T10:19:30Z http: panic serving 10.0.3.7:51234: runtime error: invalid memory address or nil pointer dereference',
    ]);
    logs(s, 'billing-db', ['2026-11-20T10:19:30Z ERROR: relation "invoice_batches" does not exist']);
  });
  assert.deepEqual(named(detectAt(snapshot)), ['Deployment/shop/billing bad-rollout']);
});

test('a revision that changed only what follows a ConfigMap (a hash in the env) runs the same code: no bad rollout', () => {
  const snapshot = cluster((s) => {
    replaced(
      s,
      'ledger',
      '2026-11-20T10:14:00Z',
      { env: [{ name: 'CONFIG_HASH', value: 'a1' }] },
      { env: [{ name: 'CONFIG_HASH', value: 'b2' }] },
    );
    logs(s, 'ledger', ['2026-11-20T10:21:00Z ERROR Unhandled exception on POST /v2/postings: KeyError: rounding']);
  });
  assert.deepEqual(detectAt(snapshot), []);
});

test('a revision that set new settings along with the new image leaves which of them erred to the env detectors', () => {
  const snapshot = cluster((s) => {
    replaced(
      s,
      'ledger',
      '2026-11-20T10:14:00Z',
      { image: 'registry.example/ledger:4.1.0', env: [{ name: 'DB_TLS', value: 'disable' }] },
      { image: 'registry.example/ledger:4.2.0', env: [{ name: 'DB_TLS', value: 'require' }] },
    );
    logs(s, 'ledger', ['2026-11-20T10:21:00Z ERROR query failed: the server does not support TLS connections']);
  });
  assert.deepEqual(detectAt(snapshot), []);
});

test("a revision that only gave a sidecar a new image does not make the application's errors its code's", () => {
  const snapshot = cluster((s) => {
    replaced(s, 'ledger', '2026-11-20T10:14:00Z', {}, {});
    const [current, older] = s.replicaSets;
    current?.spec?.template?.spec?.containers.push({ name: 'proxy', image: 'mesh/proxy:1.24.8' });
    older?.spec?.template?.spec?.containers.push({ name: 'proxy', image: 'mesh/proxy:1.24.7' });
    logs(s, 'ledger', ['2026-11-20T10:21:00Z ERROR Unhandled exception on POST /v2/postings: KeyError: rounding']);
  });
  assert.deepEqual(detectAt(snapshot), []);
});

test('new code whose errors are a callee it cannot reach, or a callee erring before it, is not blamed', () => {
  const unreachable = cluster((s) => {
    replaced(s, 'ledger', '2026-11-20T10:14:00Z', { image: 'r/ledger:1' }, { image: 'r/ledger:2' });
    logs(s, 'ledger', ['2026-11-20T10:21:00Z error: dial tcp 10.96.4.2:5432: connect: connection refused']);
  });
  assert.deepEqual(detectAt(unreachable), []);
  const erredFirst = cluster((s) => {
    const env = [{ name: 'RATES_URL', value: 'http://rates:8080' }];
    replaced(s, 'ledger', '2026-11-20T10:14:00Z', { image: 'r/ledger:1', env }, { image: 'r/ledger:2', env });
    app(s, 'rates', {});
    logs(s, 'ledger', ['2026-11-20T10:21:00Z ERROR exception in handler: ValueError: rate table empty']);
    logs(s, 'rates', ['2026-11-20T09:40:00Z ERROR failed to refresh rate table: upstream feed returned nothing']);
  });
  assert.deepEqual(detectAt(erredFirst), []);
});

test('a rollout long before the onset is not its change', () => {
  const snapshot = cluster((s) => {
    replaced(s, 'ledger', '2026-11-20T05:50:00Z', { image: 'r/ledger:1' }, { image: 'r/ledger:2' });
    logs(s, 'ledger', ['2026-11-20T10:21:00Z ERROR Unhandled exception: TypeError: amount is undefined']);
  });
  assert.deepEqual(detectAt(snapshot), []);
});
