import assert from 'node:assert/strict';
import { test } from 'node:test';
import { changedEnv } from '../../../src/investigation/detectors/changed-env.ts';
import type { ClusterSnapshot } from '../../../src/investigation/evidence/snapshot.ts';
import { app, cluster, logs, NS } from '../support/cluster.ts';
import { detect, named } from '../support/detect.ts';

/** The newest revision sets DB_NAME to `value`; the previous one had `orders`. */
const rolled = (value: string, build: (s: ClusterSnapshot) => void = () => {}) =>
  cluster((s) => {
    app(s, 'orders-api', { revision: 2, changedAt: '2026-11-20T10:20:00Z', env: [{ name: 'DB_NAME', value }] });
    const current = s.replicaSets[0];
    s.replicaSets.push({
      metadata: {
        name: 'orders-api-old',
        namespace: NS,
        creationTimestamp: '2026-11-01T09:00:00Z',
        annotations: { 'deployment.kubernetes.io/revision': '1' },
        ownerReferences: current?.metadata?.ownerReferences,
      },
      spec: {
        selector: {},
        template: { spec: { containers: [{ name: 'main', env: [{ name: 'DB_NAME', value: 'orders' }] }] } },
      },
    });
    build(s);
  });

test('an env value changed by the newest revision and quoted by the errors names the workload', () => {
  const snapshot = rolled('ordrs', (s) => logs(s, 'orders-api', ['ERROR: database "ordrs" does not exist']));
  const findings = detect(changedEnv, snapshot);
  assert.deepEqual(named(findings), ['Deployment/shop/orders-api bad-env']);
  assert.deepEqual(findings[0]?.remediation?.action, {
    type: 'rollout-undo',
    namespace: 'shop',
    name: 'orders-api',
    toRevision: 1,
  });
});

test('a changed value nobody complains about, on healthy pods, is no finding', () => {
  assert.deepEqual(detect(changedEnv, rolled('orders_v2')), []);
});

test('a variable the new revision dropped, named by the crash, is bad-env of the workload', () => {
  const snapshot = rolled('orders', (s) => {
    const spec = s.deployments[0]?.spec?.template?.spec;
    const rs = s.replicaSets[0]?.spec?.template?.spec;
    for (const target of [spec, rs]) if (target?.containers[0]) target.containers[0].env = [];
    const old = s.replicaSets[1]?.spec?.template?.spec?.containers[0];
    old?.env?.push({ name: 'PAYMENTS_URL', value: 'http://payments:8080' });
    logs(s, 'orders-api', ['FATAL: required setting PAYMENTS_URL is not set']);
  });
  assert.deepEqual(named(detect(changedEnv, snapshot)), ['Deployment/shop/orders-api bad-env']);
});
