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

/**
 * The revision replaced still holds the new template's env (kept as the new one), so only the workload's managedFields
 * say what the rollout wrote: `fields` is the write's `f:containers` set, at `writtenAt`.
 */
const rewritten = (
  env: { name: string; value: string }[],
  fields: Record<string, unknown>,
  lines: string[],
  o: { writtenAt?: string; manager?: string; operation?: string } = {},
) =>
  cluster((s) => {
    app(s, 'ledger', { revision: 4, changedAt: '2026-11-20T10:05:00Z', env });
    const deployment = s.deployments[0];
    const current = s.replicaSets[0];
    s.replicaSets.push({
      metadata: {
        name: 'ledger-old',
        namespace: NS,
        creationTimestamp: '2026-11-12T08:00:00Z',
        annotations: { 'deployment.kubernetes.io/revision': '3' },
        ownerReferences: current?.metadata?.ownerReferences,
      },
      spec: { selector: {}, template: { spec: { containers: [{ name: 'main', env }] } } },
    });
    if (deployment?.metadata)
      deployment.metadata.managedFields = [
        {
          manager: o.manager ?? 'argocd-controller',
          operation: o.operation ?? 'Apply',
          time: o.writtenAt ?? '2026-11-20T10:05:00Z',
          fieldsType: 'FieldsV1',
          fieldsV1: { 'f:spec': { 'f:template': { 'f:spec': { 'f:containers': fields } } } },
        },
        {
          manager: 'kube-controller-manager',
          operation: 'Update',
          time: '2026-11-20T10:06:00Z',
          subresource: 'status',
        },
      ];
    logs(s, 'ledger', lines);
  });

const envField = (...names: string[]) => ({
  'k:{"name":"main"}': { 'f:env': Object.fromEntries(names.map((n) => [`k:{"name":"${n}"}`, { 'f:value': {} }])) },
});

test('a value the rollout wrote (managedFields), unseen in the revision replaced, quoted by errors since: bad-env', () => {
  const snapshot = rewritten(
    [
      { name: 'QUEUE_ADDR', value: 'amqp://bus.messaging.svc:5673' },
      { name: 'WORKERS', value: '8' },
      { name: 'REGION', value: 'eu-west' },
    ],
    envField('QUEUE_ADDR', 'WORKERS'),
    [
      '2026-11-20T10:04:00Z INFO booting',
      '2026-11-20T10:08:12Z ERROR publish failed: dial tcp bus.messaging.svc:5673: connect: connection refused',
    ],
  );
  const findings = detect(changedEnv, snapshot);
  assert.deepEqual(named(findings), ['Deployment/shop/ledger bad-env']);
  assert.match(findings[0]?.summary ?? '', /QUEUE_ADDR/);
});

test('a mode written by hand (kubectl edit) and quoted in the refusals since is bad-env too', () => {
  const snapshot = rewritten(
    [{ name: 'SASL_MECHANISM', value: 'SCRAM-SHA-512' }],
    envField('SASL_MECHANISM'),
    ['2026-11-20T10:09:30Z level=error msg="auth failed" mechanism=SCRAM-SHA-512 reason="unsupported mechanism"'],
    { manager: 'kubectl-edit', operation: 'Update', writtenAt: '2026-11-20T10:04:10Z' },
  );
  assert.deepEqual(named(detect(changedEnv, snapshot)), ['Deployment/shop/ledger bad-env']);
});

test('a value the rollout wrote that no error quotes is no finding (the errors speak of something else)', () => {
  const snapshot = rewritten([{ name: 'QUEUE_ADDR', value: 'amqp://bus.messaging.svc:5672' }], envField('QUEUE_ADDR'), [
    '2026-11-20T10:08:12Z ERROR insert failed: disk quota exceeded on /var/spool',
  ]);
  assert.deepEqual(detect(changedEnv, snapshot), []);
});

test('errors quoting the value from before the rollout, or a write long before it, are no finding', () => {
  const before = rewritten([{ name: 'QUEUE_ADDR', value: 'amqp://bus.messaging.svc:5672' }], envField('QUEUE_ADDR'), [
    '2026-11-20T09:40:00Z ERROR publish failed: dial tcp bus.messaging.svc:5672: i/o timeout',
  ]);
  assert.deepEqual(detect(changedEnv, before), []);
  const older = rewritten(
    [{ name: 'QUEUE_ADDR', value: 'amqp://bus.messaging.svc:5672' }],
    envField('QUEUE_ADDR'),
    ['2026-11-20T10:08:12Z ERROR publish failed: dial tcp bus.messaging.svc:5672: i/o timeout'],
    { writtenAt: '2026-11-12T08:00:00Z' },
  );
  assert.deepEqual(detect(changedEnv, older), []);
});

test('a whole-manifest apply listing every variable says who owns them, not which changed: no finding', () => {
  const snapshot = rewritten(
    [
      { name: 'QUEUE_ADDR', value: 'amqp://bus.messaging.svc:5672' },
      { name: 'WORKERS', value: '8' },
    ],
    envField('QUEUE_ADDR', 'WORKERS'),
    ['2026-11-20T10:08:12Z ERROR publish failed: dial tcp bus.messaging.svc:5672: connect: connection refused'],
  );
  assert.deepEqual(detect(changedEnv, snapshot), []);
});
