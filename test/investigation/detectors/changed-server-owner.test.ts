import assert from 'node:assert/strict';
import { test } from 'node:test';
import { changedServerOwner } from '../../../src/investigation/detectors/changed-server-owner.ts';
import type { ClusterSnapshot } from '../../../src/investigation/evidence/snapshot.ts';
import { app, cluster, event, logs, NS, OLD, service } from '../support/cluster.ts';
import { detect, named } from '../support/detect.ts';

type Owner = { apiVersion: string; kind: string; name: string; uid: string; controller: true };

/**
 * A made-up message queue operator: `QueueCluster/bus` (mq.example.io) → StatefulSet `bus-server` → pod `bus-server-0`,
 * behind Service `bus`. The resource is edited at `edited`; the server's pod was made at `podMade`.
 */
function queueCluster(
  s: ClusterSnapshot,
  o: { edited: string; podMade?: string; conditions?: { type: string; status: string; reason?: string }[] },
): void {
  s.customObjects.push({
    apiVersion: 'mq.example.io/v1',
    kind: 'QueueCluster',
    metadata: {
      name: 'bus',
      namespace: NS,
      creationTimestamp: OLD,
      managedFields: [
        { manager: 'helm', operation: 'Update', time: OLD },
        { manager: 'kubectl-edit', operation: 'Update', time: o.edited },
      ],
    },
    spec: { replicas: 3, permissions: [{ user: 'billing', write: '^$' }] },
    status: { conditions: o.conditions ?? [{ type: 'Ready', status: 'True' }] },
  });
  const owner: Owner = {
    apiVersion: 'mq.example.io/v1',
    kind: 'QueueCluster',
    name: 'bus',
    uid: 'q',
    controller: true,
  };
  s.statefulSets.push({
    metadata: {
      name: 'bus-server',
      namespace: NS,
      creationTimestamp: OLD,
      uid: 'uid-bus-server',
      ownerReferences: [owner],
    },
    spec: {
      serviceName: 'bus',
      selector: { matchLabels: { app: 'bus' } },
      template: { metadata: { labels: { app: 'bus' } }, spec: { containers: [{ name: 'mq', image: 'mq:3' }] } },
    },
    status: { replicas: 1, readyReplicas: 1 },
  });
  s.pods.push({
    metadata: {
      name: 'bus-server-0',
      namespace: NS,
      labels: { app: 'bus' },
      creationTimestamp: o.podMade ?? OLD,
      ownerReferences: [
        { apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'bus-server', uid: 'uid-bus-server', controller: true },
      ],
    },
    spec: { containers: [{ name: 'mq', image: 'mq:3' }], nodeName: 'node-a' },
    status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] },
  });
  service(s, 'bus', { selector: { app: 'bus' }, port: 5672 });
}

/** A caller of the queue whose publishes are refused since 10:07. */
function billing(s: ClusterSnapshot, firstError = '2026-11-20T10:07:00Z'): void {
  app(s, 'billing', { env: [{ name: 'AMQP_URL', value: 'amqp://bus:5672' }] });
  logs(s, 'billing', [
    `${firstError} ERROR publish invoice.issued failed: ACCESS_REFUSED - write access to exchange 'invoices' refused for user 'billing'`,
    '2026-11-20T10:20:00Z ERROR publish invoice.issued failed: ACCESS_REFUSED',
  ]);
}

test("a queue operator's resource edited shortly before its callers' refusals is the cause, not the server it generates", () => {
  const snapshot = cluster((s) => {
    queueCluster(s, { edited: '2026-11-20T10:05:00Z' });
    billing(s);
  });
  const findings = detect(changedServerOwner, snapshot);
  assert.deepEqual(named(findings), ['QueueCluster/shop/bus other']);
  const [found] = findings;
  assert.ok(found?.affects.some((a) => a.kind === 'StatefulSet' && a.name === 'bus-server'));
  assert.ok(found?.affects.some((a) => a.kind === 'Deployment' && a.name === 'billing'));
});

/**
 * Another shape: a connection proxy made by a `ProxyPool` (pool.example.dev) through a Deployment and its ReplicaSet;
 * its callers log nothing, their readiness check fails, and the operator recorded that it paused the proxy.
 */
test('a proxy pool paused by its resource: callers held unready, with the operator saying so, point at the resource', () => {
  const snapshot = cluster((s) => {
    const edited = '2026-11-20T09:58:00Z';
    s.customObjects.push({
      apiVersion: 'pool.example.dev/v2',
      kind: 'ProxyPool',
      metadata: {
        name: 'ledger-pool',
        namespace: NS,
        creationTimestamp: OLD,
        managedFields: [{ manager: 'kubectl-patch', operation: 'Update', time: edited }],
      },
      spec: { instances: 2, suspended: true },
    });
    app(s, 'ledger-pool', { port: 6432, labels: { pool: 'ledger-pool' } });
    const proxy = s.deployments.find((d) => d.metadata?.name === 'ledger-pool');
    if (proxy?.metadata)
      proxy.metadata.ownerReferences = [
        { apiVersion: 'pool.example.dev/v2', kind: 'ProxyPool', name: 'ledger-pool', uid: 'p', controller: true },
      ];
    app(s, 'statements', { ready: false, env: [{ name: 'DB_DSN', value: 'postgres://ledger-pool:6432/ledger' }] });
    const caller = s.pods.find((p) => p.metadata?.name?.startsWith('statements-'));
    event(
      s,
      { kind: 'Pod', name: caller?.metadata?.name ?? '' },
      'Unhealthy',
      'Readiness probe failed: HTTP probe failed with statuscode: 503',
      '2026-11-20T10:02:00Z',
    );
    event(s, { kind: 'ProxyPool', name: 'ledger-pool' }, 'Suspended', 'proxy paused', edited, 'Normal');
  });
  const findings = detect(changedServerOwner, snapshot);
  assert.deepEqual(named(findings), ['ProxyPool/shop/ledger-pool other']);
  assert.ok(findings[0]?.evidence.some((e) => e.source === 'event' && /paused/.test(e.text)));
  assert.ok((findings[0]?.strength ?? 0) > 0.62);
});

test('a resource unchanged for long, and Ready, while its callers fail says nothing of why', () => {
  const snapshot = cluster((s) => {
    queueCluster(s, { edited: OLD });
    billing(s);
  });
  assert.deepEqual(detect(changedServerOwner, snapshot), []);
});

test('a change made after the callers began to fail did not start it', () => {
  const snapshot = cluster((s) => {
    queueCluster(s, { edited: '2026-11-20T10:15:00Z' });
    billing(s, '2026-11-20T10:07:00Z');
  });
  assert.deepEqual(detect(changedServerOwner, snapshot), []);
});

test('server pods replaced since the change are the rendered change (operator-resource), not this', () => {
  const snapshot = cluster((s) => {
    queueCluster(s, { edited: '2026-11-20T10:05:00Z', podMade: '2026-11-20T10:06:00Z' });
    billing(s);
  });
  assert.deepEqual(detect(changedServerOwner, snapshot), []);
});
