import assert from 'node:assert/strict';
import { test } from 'node:test';
import { badEnv } from '../../../src/investigation/detectors/bad-env.ts';
import { buildGraph } from '../../../src/investigation/evidence/graph.ts';
import { app, cluster, logs } from '../support/cluster.ts';
import { detect, named } from '../support/detect.ts';

/** Pods started this morning, a few hours before the symptom: a fault in their spec is as new as they are. */
const FRESH = '2026-11-20T07:00:00Z';

test('an env value calling a Service on a port it does not expose names the caller', () => {
  const snapshot = cluster((s) => {
    app(s, 'billing', { port: 50051 });
    app(s, 'checkout', { changedAt: FRESH, env: [{ name: 'BILLING_ADDR', value: 'billing:50052' }] });
  });
  const findings = detect(badEnv, snapshot);
  assert.deepEqual(named(findings), ['Deployment/shop/checkout bad-env']);
  assert.match(findings[0]?.summary ?? '', /exposes port 50051, not 50052/);
});

test('a misspelled host that resolves nowhere and was always there, with resolve errors in the log, is a dns fault of that workload', () => {
  const snapshot = cluster((s) => {
    app(s, 'billing', { port: 50051 });
    app(s, 'checkout', { env: [{ name: 'BILLING_ADDR', value: 'biling:50051' }] });
    logs(s, 'checkout', ['dial tcp: lookup biling on 10.96.0.10:53: no such host']);
  });
  assert.deepEqual(named(detect(badEnv, snapshot)), ['Deployment/shop/checkout dns']);
});

test('a misspelled host the newest revision introduced is a configuration fault, even with resolve errors', () => {
  const snapshot = cluster((s) => {
    app(s, 'billing', { port: 50051 });
    app(s, 'checkout', { revision: 2, env: [{ name: 'BILLING_ADDR', value: 'biling:50051' }] });
    const current = s.replicaSets.at(-1);
    const previous = structuredClone(current);
    if (!previous?.metadata || !previous.spec?.template?.spec) return;
    previous.metadata.name = 'checkout-0ld0ne';
    previous.metadata.annotations = { 'deployment.kubernetes.io/revision': '1' };
    previous.spec.template.spec.containers = previous.spec.template.spec.containers.map((c) => ({
      ...c,
      env: [{ name: 'BILLING_ADDR', value: 'billing:50051' }],
    }));
    s.replicaSets.push(previous);
    logs(s, 'checkout', ['dial tcp: lookup biling on 10.96.0.10:53: no such host']);
  });
  const findings = detect(badEnv, snapshot);
  assert.deepEqual(named(findings), ['Deployment/shop/checkout bad-env']);
  assert.equal(findings[0]?.remediation?.action.type, 'rollout-undo');
});

test('correct addresses and external hosts are no finding', () => {
  const snapshot = cluster((s) => {
    app(s, 'billing', { port: 50051 });
    app(s, 'checkout', {
      env: [
        { name: 'BILLING_ADDR', value: 'billing.shop.svc.cluster.local:50051' },
        { name: 'PSP_URL', value: 'https://api.payments.example.com:443/v1' },
      ],
    });
  });
  assert.deepEqual(detect(badEnv, snapshot), []);
});

test('a headless Service is reached on the ports its pods serve', () => {
  const snapshot = cluster((s) => {
    app(s, 'billing', { port: 50051 });
    if (s.services[0]?.spec) s.services[0].spec.clusterIP = 'None';
    app(s, 'checkout', { env: [{ name: 'BILLING_ADDR', value: 'billing:50051' }] });
    s.services[0]?.spec?.ports?.splice(0, 1, { port: 80, targetPort: 50051 as never });
  });
  assert.deepEqual(detect(badEnv, snapshot), []);
});

/** A Service `name` in namespace `namespace` (read, so the namespace is known to exist). */
function serviceIn(s: Parameters<Parameters<typeof cluster>[0]>[0], namespace: string, name: string): void {
  s.namespaces.push({ metadata: { name: namespace } });
  s.services.push({
    metadata: { name, namespace, uid: `${namespace}-${name}` },
    spec: { selector: { app: name }, ports: [{ port: 5432 }] },
  });
}

test('a host in a namespace that does not exist is a bad-env finding, with the namespace holding that Service as hint', () => {
  const snapshot = cluster((s) => {
    serviceIn(s, 'data', 'orders-db');
    app(s, 'checkout', {
      changedAt: FRESH,
      env: [{ name: 'ORDERS_DB_HOST', value: 'orders-db.data-staging.svc.cluster.local' }],
    });
  });
  const findings = detect(badEnv, snapshot);
  assert.deepEqual(named(findings), ['Deployment/shop/checkout bad-env']);
  assert.match(findings[0]?.summary ?? '', /namespace data-staging does not exist \(did it mean orders-db\.data\?\)/);
});

test('a Service missing from another namespace that was read is a bad-env finding', () => {
  const snapshot = cluster((s) => {
    serviceIn(s, 'data', 'orders-db');
    app(s, 'checkout', {
      changedAt: FRESH,
      env: [{ name: 'ORDERS_DB_URL', value: 'postgres://order-db.data.svc:5432/orders' }],
    });
  });
  const findings = detect(badEnv, snapshot);
  assert.deepEqual(named(findings), ['Deployment/shop/checkout bad-env']);
  assert.match(findings[0]?.summary ?? '', /no Service order-db exists in data \(did it mean orders-db\?\)/);
});

test('a host in another namespace that exists and serves it, or that was never read, is no finding', () => {
  const healthy = cluster((s) => {
    serviceIn(s, 'data', 'orders-db');
    app(s, 'checkout', { env: [{ name: 'ORDERS_DB_HOST', value: 'orders-db.data.svc.cluster.local' }] });
  });
  assert.deepEqual(detect(badEnv, healthy), []);
  const unread = cluster((s) => {
    s.namespaces.push({ metadata: { name: 'data' } });
    app(s, 'checkout', { env: [{ name: 'ORDERS_DB_HOST', value: 'orders-db.data.svc.cluster.local' }] });
  });
  assert.deepEqual(detect(badEnv, unread), []);
  const unknown = cluster((s) => {
    s.namespaces.length = 0;
    app(s, 'checkout', { env: [{ name: 'ORDERS_DB_HOST', value: 'orders-db.data.svc.cluster.local:5432' }] });
  });
  assert.deepEqual(detect(badEnv, unknown), []);
});

test('a namespace of which only Endpoints were read says nothing of which Services exist there', () => {
  // The collector reads a called namespace's Endpoints alone to see whether it has ready addresses.
  const snapshot = cluster((s) => {
    s.namespaces.push({ metadata: { name: 'data' } });
    s.endpoints.push({ metadata: { name: 'orders-db', namespace: 'data' }, subsets: [] });
    app(s, 'checkout', { env: [{ name: 'ORDERS_DB_HOST', value: 'orders-db.data.svc.cluster.local:5432' }] });
  });
  assert.deepEqual(detect(badEnv, snapshot), []);
});

test('failed lookups of a host whose namespace does not exist are a configuration fault, not name resolution', () => {
  const snapshot = cluster((s) => {
    serviceIn(s, 'data', 'orders-db');
    app(s, 'checkout', { env: [{ name: 'ORDERS_DB_HOST', value: 'orders-db.data-old.svc.cluster.local' }] });
    logs(s, 'checkout', ['dial tcp: lookup orders-db.data-old.svc.cluster.local on 10.96.0.10:53: no such host']);
  });
  const findings = detect(badEnv, snapshot);
  assert.deepEqual(named(findings), ['Deployment/shop/checkout bad-env']);
  assert.ok((findings[0]?.strength ?? 0) >= 0.9);
});

test('a host missing from a Service list cut short is no finding: the Service may be in the part not read', () => {
  const snapshot = cluster((s) => {
    app(s, 'checkout', { changedAt: FRESH, env: [{ name: 'BILLING_ADDR', value: 'billing:50051' }] });
    s.incomplete.push({ kind: 'Service', namespace: 'shop', read: 500, unread: 1, why: 'its read budget was spent' });
  });
  assert.deepEqual(detect(badEnv, snapshot), []);
  snapshot.incomplete.length = 0;
  assert.deepEqual(named(detect(badEnv, snapshot)), ['Deployment/shop/checkout bad-env']);
});

test('a wrong address in pods that have run ready for days before the symptom, logs unread, does not explain its onset', () => {
  for (const env of [
    { name: 'LEDGER_URL', value: 'http://ledger:9090' },
    { name: 'RATES_HOST', value: 'rates.finance-old.svc.cluster.local' },
  ]) {
    const snapshot = cluster((s) => {
      app(s, 'ledger', { port: 8080 });
      serviceIn(s, 'finance', 'rates');
      app(s, 'invoicer', { replicas: 2, env: [env] });
    });
    const alert = { text: 'InvoicesFailing', startsAt: '2026-11-20T10:20:00Z' };
    assert.deepEqual(badEnv.detect(snapshot, buildGraph(snapshot), alert), [], env.name);
  }
});

test('the same standing address is a finding once its pods restart, or when they started shortly before the symptom', () => {
  const restarting = cluster((s) => {
    app(s, 'ledger', { port: 8080 });
    app(s, 'invoicer', {
      env: [{ name: 'LEDGER_URL', value: 'http://ledger:9090' }],
      containerStatus: { restartCount: 3 },
    });
  });
  assert.deepEqual(named(detect(badEnv, restarting)), ['Deployment/shop/invoicer bad-env']);
  const fresh = cluster((s) => {
    app(s, 'ledger', { port: 8080 });
    app(s, 'invoicer', { changedAt: FRESH, env: [{ name: 'LEDGER_URL', value: 'http://ledger:9090' }] });
  });
  assert.deepEqual(named(detect(badEnv, fresh)), ['Deployment/shop/invoicer bad-env']);
});
